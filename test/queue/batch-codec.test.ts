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
