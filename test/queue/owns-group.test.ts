import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { MemoryTransport } from '../../src/queue/memory-transport';
import { ownsGroupIn } from '../../src/queue/owns-group';
import { tcpEvents } from '../support/tcp-events';

describe('ownsGroupIn', () => {
  it('counts every (rule, group) exactly once although events travel to several partitions', async () => {
    // Two rules: one grouped by peer address, one by collecting host.
    const groupKey = { byPeer: (e: TcpEvent) => e.raddr, byHost: (e: TcpEvent) => e.host };
    const t = new MemoryTransport({ partitions: 5, keysOf: (e) => [groupKey.byPeer(e), groupKey.byHost(e)], batchSize: 64, lingerMs: 1 });
    const counts = new Map<string, number>();
    await t.start(async (batch) => {
      const owns = ownsGroupIn(batch, t.ownership);
      for (const e of batch.events) {
        for (const [rule, key] of Object.entries(groupKey)) {
          const g = key(e);
          if (owns(rule, g)) counts.set(`${rule}|${g}`, (counts.get(`${rule}|${g}`) ?? 0) + 1);
        }
      }
    });
    const events = tcpEvents(0, 2000);
    t.producer.publish(events);
    await t.close();

    const expected = new Map<string, number>();
    for (const e of events) {
      for (const [rule, key] of Object.entries(groupKey)) expected.set(`${rule}|${key(e)}`, (expected.get(`${rule}|${key(e)}`) ?? 0) + 1);
    }
    expect(counts).toEqual(expected);
    // The events did travel more than once: the test would see double counts without the predicate.
    expect(t.metrics().ackedEvents).toBeGreaterThan(events.length);
  });
});
