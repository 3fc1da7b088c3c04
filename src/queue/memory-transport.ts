import { Batcher } from './batcher';
import type { EventConsumer } from './consumer';
import { BatchApplier } from './batch-applier';
import type { BatchHandler } from './event-batch';
import { partitionOf } from './partition-of';
import type { PartitionOwnership } from './partition-ownership';
import type { PartitionState } from './partition-state';
import type { EventProducer } from './producer';
import type { SealedBatch } from './sealed-batch';
import type { ConsumerMetrics } from './transport-metrics';
import type { ConsumerOptions, ProducerOptions } from './transport-options';

interface Pending {
  batch: SealedBatch;
  done: () => void;
}

/**
 * The embedded default: producer and consumer in one process, no Redis. The one consumer owns every
 * partition, for good: its partitions are ready at once, and with no other worker to hand state to,
 * a batch is acknowledged as soon as the handler applied it (commit has nothing to save). A send
 * resolves only when the handler has taken its batches, so an engine that falls behind fills the
 * producer's bounded buffer (and overflow is counted) instead of memory. Nothing survives the
 * process: at-least-once here means a handler that throws sees the batch again.
 */
export class MemoryTransport implements EventConsumer {
  readonly producer: EventProducer;
  readonly ownership: PartitionOwnership;
  private readonly queues: Pending[][];
  private readonly draining: boolean[];
  private readonly applier: BatchApplier;
  private handler: BatchHandler | null = null;
  private closed = false;
  private idle: Promise<void>[] = [];

  constructor(
    options: ProducerOptions = {},
    consumerOptions: ConsumerOptions = {},
  ) {
    this.applier = new BatchApplier(consumerOptions);
    this.producer = new Batcher((batches) => this.accept(batches), options);
    const partitions = options.partitions ?? 1;
    const all = Array.from({ length: partitions }, (_, i) => i);
    this.ownership = {
      partitions,
      partitionOf: (key) => partitionOf(key, partitions),
      owns: (p) => p >= 0 && p < partitions,
      owned: () => [...all],
    };
    this.queues = all.map(() => []);
    this.draining = all.map(() => false);
  }

  async start(handler: BatchHandler, state?: PartitionState): Promise<void> {
    for (const p of this.ownership.owned()) state?.acquired(p, undefined);
    this.handler = handler;
    for (let p = 0; p < this.queues.length; p++) this.drain(p);
  }

  async commit(): Promise<void> {}

  ready(): boolean {
    return true;
  }

  async backlog(): Promise<number> {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  metrics(): ConsumerMetrics {
    return this.applier.metrics();
  }

  /** Drains the producer into the handler (for at most `timeoutMs`; see EventProducer.close), then stops. */
  async close(timeoutMs?: number): Promise<number> {
    await this.producer.close(timeoutMs);
    this.closed = true;
    await Promise.all(this.idle);
    // Nothing is committed here: whatever was applied is in this process's state, which ends with it.
    return 0;
  }

  private accept(batches: SealedBatch[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('memory transport closed'));
    const acked = batches.map(
      (batch) =>
        new Promise<void>((done) => {
          this.queues[batch.partition].push({ batch, done });
          this.drain(batch.partition);
        }),
    );
    return Promise.all(acked).then(() => undefined);
  }

  /** One batch at a time per partition, in order, like one BullMQ worker per partition queue. */
  private drain(p: number): void {
    const handler = this.handler;
    if (!handler || this.draining[p] || this.closed) return;
    this.draining[p] = true;
    const run = (async () => {
      for (let next = this.queues[p].shift(); next; next = this.closed ? undefined : this.queues[p].shift()) {
        if (await this.applier.apply(handler, next.batch)) this.applier.acknowledged(1, next.batch.events.length);
        next.done();
      }
      this.draining[p] = false;
    })();
    this.idle.push(run);
    void run.then(() => (this.idle = this.idle.filter((r) => r !== run)));
  }
}
