import { pack, unpack } from 'msgpackr';
import { decodeBatch, encodeBatch } from '../../src/queue/batch-codec';
import { contractBreakingEvents, tcpEvent, tcpEvents } from '../support/tcp-events';

describe('batch codec', () => {
  it('round-trips every field, keeps absent fields absent, and is compact', () => {
    const events = [
      ...tcpEvents(0, 997),
      tcpEvent(998, { kind: 'state_change', oldstate: 'SYN_SENT', newstate: 'ESTABLISHED', sock: 'ffff8881', pid: 4242, comm: 'curl', family: 6, laddr: '::1', raddr: '::1' }),
      // The victim names travel with the events to engines on other hosts.
      tcpEvent(997, { netns_name: 'web', container: 'shop-api', pod: 'shop/api-0', service: 'nginx.service' }),
      tcpEvent(999, { ts: 1764062577999.001 }),
    ];
    const batch = { id: 'p1-7', partition: 3, createdAt: 1764062578000, lost: 12, collectorLost: 5, aggregatesLack: [], untraced: [], events };
    const bytes = encodeBatch(batch);
    expect(decodeBatch(bytes)).toEqual(batch);
    // Absent stays absent: undefined on the event, and not in its JSON (alerts' sample events).
    expect(decodeBatch(bytes).events[0].pid).toBeUndefined();
    expect(Object.keys(JSON.parse(JSON.stringify(decodeBatch(bytes).events[0])))).not.toContain('pid');
    // One JSON object per event would take about 200 bytes.
    expect(bytes.length / events.length).toBeLessThan(60);
  });

  it("carries an event's value weight, so an aggregated flood crosses as one event", () => {
    // One event standing for 250,000 SYN-ACK retransmits (an in-kernel aggregate), one counter sample, one plain event.
    const events = [
      tcpEvent(0, { kind: 'synack_retransmit', value: 250_000 }),
      tcpEvent(1, { kind: 'syncookies_sent', laddr: '', raddr: '', lport: 0, rport: 0, value: 3 }),
      tcpEvent(2),
    ];
    const decoded = decodeBatch(encodeBatch({ id: 'p1-2', partition: 0, createdAt: 1764062578000, lost: 0, collectorLost: 0, aggregatesLack: [], untraced: [], events }));
    expect(decoded.events).toHaveLength(3);
    expect(decoded.events.map((e) => e.value)).toEqual([250_000, 3, undefined]);
    expect(decoded.lost).toBe(0);
  });

  it('carries the fields its aggregates lack (al), and reads a batch without al or with a malformed one as lacking none', () => {
    const events = [tcpEvent(0, { kind: 'rst_sent', value: 5000 })];
    const batch = { id: 'p1-4', partition: 1, createdAt: 1764062578000, lost: 0, collectorLost: 0, aggregatesLack: ['rport', 'sock'], untraced: [], events };
    const bytes = encodeBatch(batch);
    expect(decodeBatch(bytes)).toEqual(batch);
    expect((unpack(bytes) as { al?: unknown }).al).toEqual(['rport', 'sock']);
    const older = unpack(encodeBatch({ ...batch, aggregatesLack: [] })) as Record<string, unknown>;
    expect(older).not.toHaveProperty('al');
    expect(decodeBatch(pack(older)).aggregatesLack).toEqual([]);
    expect(decodeBatch(pack({ ...older, al: 'rport' })).aggregatesLack).toEqual([]);
    expect(decodeBatch(pack({ ...older, al: ['rport', 7, null] })).aggregatesLack).toEqual(['rport']);
  });

  it('carries the kinds its collector does not trace (ut), and reads a batch without ut or with a malformed one as tracing all', () => {
    const batch = { id: 'p1-5', partition: 0, createdAt: 1764062578000, lost: 0, collectorLost: 0, aggregatesLack: [], untraced: ['state_change', 'destroy'], events: [tcpEvent(0)] };
    const bytes = encodeBatch(batch);
    expect(decodeBatch(bytes)).toEqual(batch);
    expect((unpack(bytes) as { ut?: unknown }).ut).toEqual(['state_change', 'destroy']);
    const older = unpack(encodeBatch({ ...batch, untraced: [] })) as Record<string, unknown>;
    expect(older).not.toHaveProperty('ut');
    expect(decodeBatch(pack(older)).untraced).toEqual([]);
    expect(decodeBatch(pack({ ...older, ut: ['destroy', { kind: 1 }] })).untraced).toEqual(['destroy']);
  });

  it('reads a batch of another release: unknown columns skipped, missing ones absent', () => {
    const bytes = encodeBatch({ id: 'p1-3', partition: 0, createdAt: 1764062578000, lost: 0, collectorLost: 0, aggregatesLack: [], untraced: [], events: [tcpEvent(0, { pid: 7 })] });
    const wire = unpack(bytes) as { fields: string[]; cols: unknown[][] };
    const pid = wire.fields.indexOf('pid');
    wire.fields[pid] = 'cgroup_id';
    const decoded = decodeBatch(pack(wire));
    expect(decoded.events).toEqual([tcpEvent(0)]);
    expect(decoded.events[0]).not.toHaveProperty('cgroup_id');
  });
});

describe('decodeBatch', () => {
  it('drops events that break the event contract and counts them as lost', () => {
    const events = [
      tcpEvent(0),
      ...contractBreakingEvents(),
      tcpEvent(6),
    ];
    const decoded = decodeBatch(encodeBatch({ id: 'p1-1', partition: 0, createdAt: 1764062578000, lost: 2, collectorLost: 0, aggregatesLack: [], untraced: [], events }));
    expect(decoded.events).toEqual([tcpEvent(0), tcpEvent(6)]);
    expect(decoded.lost).toBe(2 + 5);
  });
});
