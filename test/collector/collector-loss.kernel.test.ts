/**
 * Loss is never silent: a tiny ring buffer and a stalled consumer force the kernel to drop
 * records, and every one is counted, per tracepoint, against what the traffic generated.
 */
import { execFileSync } from 'node:child_process';
import { Collector } from '../../src/collector/collector';
import { RECORD_SIZE, Tracepoint } from '../../src/collector/record-layout';
import { describeKernel } from '../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../support/netns';
import { TRAFFIC } from '../support/run-traffic';

describeKernel('collector loss accounting', () => {
  let pair: NetnsPair;
  beforeAll(() => {
    pair = createNetnsPair();
  });
  afterAll(() => pair?.destroy());

  test('overflowing a 4 KiB ring with a stalled consumer: delivered + lost == generated, per tracepoint', async () => {
    const connects = 400;
    // Only the client namespace: each refused connect there is CLOSE->SYN_SENT, a reset
    // received, SYN_SENT->CLOSE and a destroy (the reset is sent in the server namespace).
    const generated = new Map([
      [Tracepoint.SetState, 2 * connects],
      [Tracepoint.ReceiveReset, connects],
      [Tracepoint.DestroySock, connects],
    ]);
    // Aggregation off: this is the ring buffer's loss (kernel-aggregation.kernel.test.ts has the maps').
    const collector = new Collector({ netns: pair.client.inode, ringBytes: 4096, batchRecords: 8, maxQueuedBatches: 1, aggregate: 'off' });
    let received = 0;
    collector.on('records', (batch) => (received += batch.length / RECORD_SIZE));
    collector.start();

    // execFileSync blocks this thread: JavaScript takes no batch while the traffic runs, the
    // drain thread blocks on its one-batch queue, and the 42-record ring fills.
    const result = execFileSync('ip', ['netns', 'exec', pair.client.name, process.execPath, TRAFFIC, 'refuse', pair.server.v4, '7', String(connects)], {
      encoding: 'utf8',
    });
    expect(JSON.parse(result)).toEqual({ ECONNREFUSED: connects });
    const stats = await collector.stop();

    expect(stats.lost).toBeGreaterThan(0);
    expect(stats.delivered).toBe(received);
    for (const [tp, count] of generated) {
      const t = stats.tracepoints[tp];
      expect({ tracepoint: t.tracepoint, seen: t.seen, accounted: t.delivered + t.lost }).toEqual({ tracepoint: t.tracepoint, seen: count, accounted: count });
    }
    expect(stats.seen).toBe(4 * connects);
    expect(stats.delivered + stats.lost).toBe(4 * connects);
  });
});
