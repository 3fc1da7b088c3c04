import { Batcher } from '../../src/queue/batcher';
import type { SealedBatch } from '../../src/queue/sealed-batch';
import { tcpEvents } from '../support/tcp-events';

describe('Batcher', () => {
  it('seals at batchSize and after lingerMs', async () => {
    const sent: SealedBatch[] = [];
    const b = new Batcher(async (batches) => void sent.push(...batches), { batchSize: 4, lingerMs: 30 });
    b.publish(tcpEvents(0, 9));
    await new Promise((r) => setImmediate(r));
    expect(sent.map((s) => s.events.length)).toEqual([4, 4]);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent.map((s) => s.events.length)).toEqual([4, 4, 1]);
    expect(new Set(sent.map((s) => s.id)).size).toBe(3);
  });

  it('seals the open batches when what the aggregates lack changes: each batch says what its own events lack', async () => {
    const sent: SealedBatch[] = [];
    const b = new Batcher(async (batches) => void sent.push(...batches), { batchSize: 100, lingerMs: 1000 });
    b.publish(tcpEvents(0, 3));
    b.setAggregatesLack(['rport', 'sock']);
    b.publish(tcpEvents(3, 2));
    b.setAggregatesLack(['rport', 'sock']);
    b.publish(tcpEvents(5, 2));
    await b.flush();
    expect(sent.map((s) => [s.events.length, s.aggregatesLack])).toEqual([
      [3, []],
      [4, ['rport', 'sock']],
    ]);
    await b.close();
  });

  it('stamps the kinds the collector does not trace on the batches sealed after they are set', async () => {
    const sent: SealedBatch[] = [];
    const b = new Batcher(async (batches) => void sent.push(...batches), { batchSize: 2, lingerMs: 1000 });
    b.publish(tcpEvents(0, 2));
    b.setUntraced(['state_change', 'destroy']);
    b.publish(tcpEvents(2, 2));
    await b.flush();
    expect(sent.map((s) => s.untraced)).toEqual([[], ['state_change', 'destroy']]);
    await b.close();
  });

  it('routes an event to each distinct partition of its keys', async () => {
    const sent: SealedBatch[] = [];
    const b = new Batcher(async (batches) => void sent.push(...batches), { partitions: 4, keysOf: (e) => [e.raddr, e.raddr, e.host] });
    const events = tcpEvents(0, 50);
    b.publish(events);
    await b.flush();
    const copies = sent.reduce((n, s) => n + s.events.length, 0);
    expect(b.metrics().published).toBe(copies);
    expect(copies).toBeGreaterThan(events.length);
    expect(copies).toBeLessThanOrEqual(2 * events.length);
  });

  it('never blocks while the sink fails: drops beyond capacity, counts exactly, carries the loss, resumes', async () => {
    let up = false;
    const sent: SealedBatch[] = [];
    const b = new Batcher(
      async (batches) => {
        if (!up) throw new Error('down');
        sent.push(...batches);
      },
      { batchSize: 10, lingerMs: 5, capacity: 100 },
    );
    b.publish(tcpEvents(0, 150));
    await new Promise((r) => setTimeout(r, 30));
    expect(b.metrics()).toMatchObject({ published: 150, buffered: 100, dropped: 50, sentEvents: 0 });
    expect(b.metrics().sendErrors).toBeGreaterThan(0);
    up = true;
    await b.flush();
    b.publish(tcpEvents(150, 5));
    await b.flush();
    const m = b.metrics();
    expect(m).toMatchObject({ published: 155, sentEvents: 105, buffered: 0, dropped: 50 });
    expect(sent.reduce((n, s) => n + s.lost, 0)).toBe(50);
    // One loss-only batch, sealed once the sink was idle again: none piled up while it was failing.
    expect(sent.filter((s) => s.events.length === 0)).toHaveLength(1);
    expect(sent.flatMap((s) => s.events).map((e) => e.ts)).toEqual([...tcpEvents(0, 100), ...tcpEvents(150, 5)].map((e) => e.ts));
  });

  it('while the sink is busy, drops of several publishes wait in one loss-only batch', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => (release = r));
    const sent: SealedBatch[] = [];
    const b = new Batcher(
      async (batches) => {
        await hung;
        sent.push(...batches);
      },
      { batchSize: 10, lingerMs: 5, capacity: 10 },
    );
    b.publish(tcpEvents(0, 10));
    for (let i = 0; i < 3; i++) {
      b.publish(tcpEvents(10 + i, 1));
      await new Promise((r) => setTimeout(r, 15));
    }
    release();
    await b.flush();
    expect(sent.map((s) => [s.events.length, s.lost])).toEqual([
      [10, 0],
      [0, 3],
    ]);
    await b.close();
  });

  it('counts what is still unsent at close as dropped', async () => {
    const b = new Batcher(() => Promise.reject(new Error('down')), { batchSize: 10 });
    b.publish(tcpEvents(0, 25));
    await b.close(50);
    expect(b.metrics()).toMatchObject({ published: 25, sentEvents: 0, buffered: 0, dropped: 25 });
  });
});
