import { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { TcpEvent } from '../interfaces/tcp-event';
import { Deadline } from '../lifecycle/deadline';
import { encodeBatch } from './batch-codec';
import { Batcher } from './batcher';
import type { BullmqProducerOptions } from './bullmq-producer-options';
import type { EventProducer } from './producer';
import { closeRedis, connectRedis } from './redis-connection';
import { KEY_PREFIX, partitionQueueName } from './redis-keys';
import type { SealedBatch } from './sealed-batch';
import type { ProducerMetrics } from './transport-metrics';
import type { ProducerOptions } from './transport-options';

/**
 * How long Redis remembers a batch id after its add, whether or not the batch is still kept: a
 * retry of an add whose reply was lost comes within the send backoff (at most 5 s) of Redis
 * answering again, so a minute is ample, and a small key per batch is all it costs.
 */
const DEDUP_TTL_MS = 60_000;

/**
 * Collector side on Redis: each sealed batch becomes one BullMQ job on its partition's queue, its
 * data the columnar MessagePack batch in base64 (BullMQ stores job data as JSON text). The job id
 * and BullMQ deduplication id are the batch id, so re-adding a batch after an add whose reply was
 * lost is a no-op, even when the first copy was consumed and removed meanwhile.
 */
export class BullmqProducer implements EventProducer {
  private readonly batcher: Batcher;

  private constructor(
    private readonly redis: IORedis,
    private readonly queues: Queue[],
    options: ProducerOptions,
  ) {
    this.batcher = new Batcher((batches) => this.send(batches), options);
  }

  /**
   * Throws RedisUnreachableError (a UserError) when Redis does not answer now; later outages are
   * buffered and retried. `signal` abandons the connection attempt (a stop during the start).
   */
  static async connect(options: BullmqProducerOptions, signal?: AbortSignal): Promise<BullmqProducer> {
    const redis = await connectRedis(options, 'failFast', signal);
    const partitions = options.partitions ?? 1;
    const maxLen = options.eventsStreamMaxLen ?? 1000;
    const queues = Array.from(
      { length: partitions },
      (_, p) => new Queue(partitionQueueName(p), { connection: redis, prefix: KEY_PREFIX, streams: { events: { maxLen } } }),
    );
    try {
      await Promise.all(queues.map((q) => q.waitUntilReady()));
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    return new BullmqProducer(redis, queues, options);
  }

  publish(events: readonly TcpEvent[]): void {
    this.batcher.publish(events);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  reportCollectorLoss(events: number): void {
    this.batcher.reportCollectorLoss(events);
  }

  setAggregatesLack(fields: readonly string[]): void {
    this.batcher.setAggregatesLack(fields);
  }

  setUntraced(kinds: readonly string[]): void {
    this.batcher.setUntraced(kinds);
  }

  metrics(): ProducerMetrics {
    return this.batcher.metrics();
  }

  /** The connection to Redis (the process's health check watches it). */
  get connection(): IORedis {
    return this.redis;
  }

  async close(timeoutMs = 5000): Promise<void> {
    const deadline = Deadline.after(timeoutMs);
    // Sends until the deadline while Redis is away; what never left is counted as dropped.
    await this.batcher.close(deadline.remaining());
    // The queues share the connection: closing them sends nothing.
    await Promise.all(this.queues.map((q) => deadline.settles(q.close())));
    await closeRedis(this.redis, deadline);
  }

  private async send(batches: SealedBatch[]): Promise<void> {
    const byPartition = new Map<number, SealedBatch[]>();
    for (const b of batches) byPartition.set(b.partition, [...(byPartition.get(b.partition) ?? []), b]);
    await Promise.all(
      [...byPartition].map(([p, list]) =>
        this.queues[p].addBulk(
          list.map((b) => ({
            name: 'batch',
            data: encodeBatch(b).toString('base64'),
            opts: { jobId: b.id, deduplication: { id: b.id, ttl: DEDUP_TTL_MS } },
          })),
        ),
      ),
    );
  }
}
