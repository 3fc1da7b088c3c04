import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { decodeBatch } from './batch-codec';
import type { BullmqConsumerOptions } from './bullmq-consumer-options';
import type { EventConsumer } from './consumer';
import { Delivery } from './delivery';
import type { BatchHandler } from './event-batch';
import { PartitionLeases } from './partition-leases';
import type { PartitionOwnership } from './partition-ownership';
import { connectRedis } from './redis-connection';
import { KEY_PREFIX, partitionQueueName } from './redis-keys';
import type { ConsumerMetrics } from './transport-metrics';

/**
 * Engine side on Redis: one BullMQ worker (concurrency 1, so a partition's batches are handled in
 * order) per partition this process holds the lease of. A batch is acknowledged (the job completes)
 * only after the handler resolved; a process killed mid-batch stops renewing the job lock, BullMQ's
 * stalled check puts the job back, and the partition's next owner receives it again.
 */
export class BullmqConsumer implements EventConsumer {
  readonly ownership: PartitionOwnership;
  private readonly leases: PartitionLeases;
  private readonly workers = new Map<number, Worker>();
  private readonly queues: Queue[];
  private readonly delivery: Delivery;
  private handler: BatchHandler | null = null;

  private constructor(
    private readonly redis: IORedis,
    private readonly leaseRedis: IORedis,
    private readonly options: BullmqConsumerOptions,
  ) {
    this.delivery = new Delivery(options);
    const partitions = options.partitions ?? 1;
    this.leases = new PartitionLeases(leaseRedis, {
      partitions,
      ttlMs: options.leaseTtlMs,
      workerId: options.workerId,
      onAcquire: async (p) => this.startPartition(p),
      onRelease: async (p, lost) => this.stopPartition(p, lost),
    });
    this.ownership = this.leases;
    this.queues = Array.from({ length: partitions }, (_, p) => new Queue(partitionQueueName(p), { connection: redis, prefix: KEY_PREFIX }));
  }

  /** Throws RedisUnreachableError (a UserError) when Redis does not answer now; later outages are waited out. */
  static async connect(options: BullmqConsumerOptions): Promise<BullmqConsumer> {
    const redis = await connectRedis(options, 'blocking');
    // Leases fail fast while Redis is away, so local expiry (not a stuck command) decides ownership.
    const leaseRedis = await connectRedis(options, 'failFast');
    return new BullmqConsumer(redis, leaseRedis, options);
  }

  async start(handler: BatchHandler): Promise<void> {
    this.handler = handler;
    await this.leases.start();
  }

  async backlog(): Promise<number> {
    const counts = await Promise.all(this.queues.map((q) => q.getWaitingCount()));
    return counts.reduce((a, b) => a + b, 0);
  }

  metrics(): ConsumerMetrics {
    return this.delivery.metrics();
  }

  async close(): Promise<void> {
    await this.leases.stop();
    await Promise.all(this.queues.map((q) => q.close()));
    this.redis.disconnect();
    this.leaseRedis.disconnect();
  }

  private startPartition(p: number): void {
    const handler = this.handler;
    if (!handler || this.workers.has(p)) return;
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    const worker = new Worker(
      partitionQueueName(p),
      async (job: Job<string>) => {
        const batch = decodeBatch(Buffer.from(job.data, 'base64'));
        // attemptsStarted counts takes of this job, including those of workers that died holding it.
        if (!(await this.delivery.deliver(handler, batch, Math.max(1, job.attemptsStarted)))) {
          throw new Error(`batch ${batch.id}: handler failed on every attempt`);
        }
      },
      {
        connection: this.redis,
        prefix: KEY_PREFIX,
        concurrency: 1,
        lockDuration,
        stalledInterval: this.options.stalledIntervalMs ?? Math.floor(lockDuration / 2),
        maxStalledCount: this.options.maxStalledCount ?? 3,
        removeOnComplete: { count: this.options.keepCompleted ?? 100 },
        removeOnFail: { count: this.options.keepFailed ?? 1000 },
      },
    );
    // Without a listener an 'error' (Redis restarting) would be thrown; the worker reconnects by itself.
    worker.on('error', () => undefined);
    this.workers.set(p, worker);
  }

  private async stopPartition(p: number, lost: boolean): Promise<void> {
    const worker = this.workers.get(p);
    this.workers.delete(p);
    // A graceful close waits for Redis, which may be the reason the lease was lost: force it then,
    // and at shutdown while Redis is away. The batch in hand goes back to the queue with its lock.
    await worker?.close(lost || this.redis.status !== 'ready');
  }
}
