import { decodeBatch, encodeBatch } from '../../src/queue/batch-codec';
import { tcpEvent, tcpEvents } from '../support/tcp-events';

describe('batch codec', () => {
  it('round-trips every field, keeps absent fields absent, and is compact', () => {
    const events = [
      ...tcpEvents(0, 997),
      tcpEvent(998, { kind: 'state_change', oldstate: 'SYN_SENT', newstate: 'ESTABLISHED', sock: 'ffff8881', pid: 4242, comm: 'curl', family: 6, laddr: '::1', raddr: '::1' }),
      // The victim names travel with the events to engines on other hosts.
      tcpEvent(997, { netns_name: 'web', container: 'shop-api', pod: 'shop/api-0', service: 'nginx.service' }),
      tcpEvent(999, { ts: 1764062577999.001 }),
    ];
    const batch = { id: 'p1-7', partition: 3, createdAt: 1764062578000, lost: 12, collectorLost: 5, events };
    const bytes = encodeBatch(batch);
    expect(decodeBatch(bytes)).toEqual(batch);
    expect(Object.keys(decodeBatch(bytes).events[0])).not.toContain('pid');
    // One JSON object per event would take about 200 bytes.
    expect(bytes.length / events.length).toBeLessThan(60);
  });

  it('carries an in-kernel aggregate as one event with its value, not re-expanded', () => {
    const aggregate = tcpEvent(1, { kind: 'connect_refused', direction: 'inbound', rport: 0, value: 123456, pid: undefined, comm: undefined });
    const events = [aggregate, tcpEvent(2)];
    const decoded = decodeBatch(encodeBatch({ id: 'p1-8', partition: 0, createdAt: 1764062578000, lost: 0, collectorLost: 0, events }));
    expect(decoded.events).toEqual(events);
    expect(decoded.events[0].value).toBe(123456);
    expect(decoded.events[1].value).toBeUndefined();
  });
});

describe('decodeBatch', () => {
  it('drops events that break the event contract and counts them as lost', () => {
    const events = [
      tcpEvent(0),
      tcpEvent(1, { ts: 1e300 }),
      tcpEvent(2, { lport: 70000 }),
      tcpEvent(3, { raddr: 'not-an-ip' }),
      tcpEvent(4, { family: 5 as 4 }),
      tcpEvent(5, { raddr: { a: 1 } as unknown as string }),
      tcpEvent(6),
    ];
    const decoded = decodeBatch(encodeBatch({ id: 'p1-1', partition: 0, createdAt: 1764062578000, lost: 2, collectorLost: 0, events }));
    expect(decoded.events).toEqual([tcpEvent(0), tcpEvent(6)]);
    expect(decoded.lost).toBe(2 + 5);
  });
});
