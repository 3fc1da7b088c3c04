import { decodeBatch, encodeBatch } from '../../src/queue/batch-codec';
import { tcpEvent, tcpEvents } from '../support/tcp-events';

describe('batch codec', () => {
  it('round-trips every field, keeps absent fields absent, and is compact', () => {
    const events = [
      ...tcpEvents(0, 998),
      tcpEvent(998, { kind: 'state_change', oldstate: 'SYN_SENT', newstate: 'ESTABLISHED', sock: 'ffff8881', pid: 4242, comm: 'curl', family: 6, laddr: '::1', raddr: '::1' }),
      tcpEvent(999, { ts: 1764062577999.001 }),
    ];
    const batch = { id: 'p1-7', partition: 3, createdAt: 1764062578000, lost: 12, collectorLost: 5, events };
    const bytes = encodeBatch(batch);
    expect(decodeBatch(bytes)).toEqual(batch);
    expect(Object.keys(decodeBatch(bytes).events[0])).not.toContain('pid');
    // One JSON object per event would take about 200 bytes.
    expect(bytes.length / events.length).toBeLessThan(60);
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
