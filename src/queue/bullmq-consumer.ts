import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { decodeBatch } from './batch-codec';
import type { BullmqConsumerOptions } from './bullmq-consumer-options';
import type { EventConsumer } from './consumer';
import { Delivery } from './delivery';
import type { BatchHandler } from './event-batch';
import { OwnedPartition } from './owned-partition';
import { PartitionCheckpoints } from './partition-checkpoints';
import { PartitionLeases } from './partition-leases';
import type { PartitionOwnership } from './partition-ownership';
import type { PartitionState } from './partition-state';
import { connectRedis } from './redis-connection';
import { KEY_PREFIX, partitionQueueName } from './redis-keys';
import type { ConsumerMetrics } from './transport-metrics';

const NO_STATE: PartitionState = { acquired: () => undefined, snapshot: () => Buffer.alloc(0), released: () => undefined };

/** BullMQ's reason for a job that stalled (its worker died) more often than maxStalledCount. */
const STALLED_OUT = 'job stalled more than allowable limit';

/**
 * Engine side on Redis: one BullMQ worker per partition this process holds the lease of.
 *
 * A batch's job stays active (its lock renewed by BullMQ) from the moment the handler applied it
 * until a commit saved the partition's state holding it, fenced on the lease; only then does the
 * job complete. So a worker killed at any point loses nothing: batches it never committed come
 * back when their locks lapse, and the partition's next owner starts from the last commit, which
 * lists the batches it already holds so they are not counted twice. A partition handed over
 * cleanly (a worker joining or leaving) is committed before its lease is let go.
 */
export class BullmqConsumer implements EventConsumer {
  readonly ownership: PartitionOwnership;
  private readonly leases: PartitionLeases;
  private readonly checkpoints: PartitionCheckpoints;
  private readonly owned = new Map<number, OwnedPartition>();
  private readonly queues: Queue[];
  private readonly delivery: Delivery;
  private handler: BatchHandler | null = null;
  private state: PartitionState = NO_STATE;
  private committing: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;

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
    this.checkpoints = new PartitionCheckpoints(leaseRedis, this.leases.workerId);
    this.queues = Array.from({ length: partitions }, (_, p) => new Queue(partitionQueueName(p), { connection: redis, prefix: KEY_PREFIX }));
  }

  /** Throws RedisUnreachableError (a UserError) when Redis does not answer now; later outages are waited out. */
  static async connect(options: BullmqConsumerOptions): Promise<BullmqConsumer> {
    const redis = await connectRedis(options, 'blocking');
    // Leases and commits fail fast while Redis is away, so local expiry (not a stuck command) decides ownership.
    const leaseRedis = await connectRedis(options, 'failFast');
    return new BullmqConsumer(redis, leaseRedis, options);
  }

  async start(handler: BatchHandler, state?: PartitionState): Promise<void> {
    this.handler = handler;
    this.state = state ?? NO_STATE;
    await this.leases.start();
    const every = this.options.commitIntervalMs;
    if (every) this.commitTimer = setInterval(() => void this.commit(), every);
  }

  commit(): Promise<void> {
    return this.serialized(async () => {
      for (const p of [...this.owned.keys()]) await this.commitPartition(p);
    });
  }

  ready(partition: number): boolean {
    return this.owned.get(partition)?.ready ?? false;
  }

  async backlog(): Promise<number> {
    const counts = await Promise.all(this.queues.map((q) => q.getWaitingCount()));
    return counts.reduce((a, b) => a + b, 0);
  }

  metrics(): ConsumerMetrics {
    return this.delivery.metrics();
  }

  async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.leases.stop();
    await Promise.all(this.queues.map((q) => q.close()));
    this.redis.disconnect();
    this.leaseRedis.disconnect();
  }

  /** Commits never overlap: each takes its snapshots and batches in one synchronous step. */
  private serialized(run: () => Promise<void>): Promise<void> {
    const next = this.committing.then(run);
    this.committing = next.catch(() => undefined);
    return next;
  }

  /**
   * Saves one partition's state with the batches it covers, then lets their jobs complete. While
   * Redis is away the batches wait (their locks renewed) for a later commit.
   */
  private async commitPartition(p: number): Promise<void> {
    const part = this.owned.get(p);
    if (!part || part.gone) return;
    const snapshot = this.state.snapshot(p);
    const { covered, taken } = part.beginCommit();
    let saved: boolean;
    try {
      saved = await this.checkpoints.save(p, snapshot, covered);
    } catch {
      part.retryLater(taken);
      return;
    }
    // The lease went to another worker: it starts from our previous commit and gets these batches back.
    if (!saved) return this.stopPartition(p, true);
    for (const t of taken) t.acknowledge();
    if (!part.ready) await this.settle(p, part).catch(() => undefined);
  }

  /** Checks, in one transaction, whether every batch of the partition's queue is in its state. */
  private async settle(p: number, part: OwnedPartition): Promise<void> {
    const keys = this.queues[p].keys;
    const replies = await this.leaseRedis.multi().lrange(keys.active, 0, -1).llen(keys.wait).exec();
    if (!replies || replies.some(([err]) => err)) return;
    part.settle(replies[0][1] as string[], replies[1][1] as number);
  }

  private async startPartition(p: number): Promise<void> {
    const handler = this.handler;
    if (!handler || this.owned.has(p)) return;
    const saved = await this.checkpoints.load(p);
    const part = new OwnedPartition(saved?.covered ?? []);
    this.owned.set(p, part);
    this.state.acquired(p, saved?.state);
    const lockDuration = this.options.lockDurationMs ?? 10_000;
    const worker = new Worker(partitionQueueName(p), (job: Job<string>) => this.process(p, part, handler, job), {
      connection: this.redis,
      prefix: KEY_PREFIX,
      // Batches stay active until a commit: as many as arrive between two commits, and then some.
      concurrency: this.options.maxUncommittedBatches ?? 2000,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? Math.floor(lockDuration / 4),
      maxStalledCount: this.options.maxStalledCount ?? 3,
      removeOnComplete: { count: this.options.keepCompleted ?? 100 },
      removeOnFail: { count: this.options.keepFailed ?? 1000 },
    });
    // Without a listener an 'error' (Redis restarting) would be thrown; the worker reconnects by itself.
    worker.on('error', () => undefined);
    worker.on('completed', (job: Job<string>) => this.delivery.acknowledged(1, part.completed(job.id!)));
    worker.on('failed', (job: Job<string> | undefined) => {
      // A batch whose workers kept dying never reached a handler here: its events are lost, and counted.
      if (job?.failedReason === STALLED_OUT) this.delivery.failed(decodeBatch(Buffer.from(job.data, 'base64')).events.length);
      if (job?.id) part.completed(job.id);
    });
    part.worker = worker;
  }

  private async process(p: number, part: OwnedPartition, handler: BatchHandler, job: Job<string>): Promise<void> {
    // Taken by a worker whose partition already left: never completes here; its lock lapses and the next owner gets it.
    if (part.gone) return new Promise(() => undefined);
    const batch = decodeBatch(Buffer.from(job.data, 'base64'));
    let committed: Promise<void> | undefined;
    const applied = await part.inTurn(async () => {
      // Already in the state (the previous owner committed it, or it came back after a lost lock): count it once.
      if (part.holds(job.id!)) {
        committed = part.take(job.id!, batch.events.length);
        return true;
      }
      // attemptsStarted counts takes of this job, including those of workers that died holding it.
      return this.delivery.deliver(handler, batch, Math.max(1, job.attemptsStarted), () => {
        committed = part.take(job.id!, batch.events.length);
      });
    });
    if (!applied) throw new Error(`batch ${batch.id} of partition ${p}: handler failed on every attempt`);
    return committed;
  }

  private async stopPartition(p: number, lost: boolean): Promise<void> {
    const part = this.owned.get(p);
    if (!part) return;
    if (lost || this.redis.status !== 'ready') {
      // The lease is gone (or Redis with it): nothing more may be committed. Batches in hand keep
      // their jobs active until the locks lapse, and go to the next owner.
      part.gone = true;
      this.owned.delete(p);
      this.state.released(p);
      await part.worker?.close(true);
      return;
    }
    // Handing over: take no more batches, commit every one taken (the worker waits for them), then go.
    const closing = part.worker!.close();
    let closed = false;
    void closing.finally(() => (closed = true));
    while (!closed && !part.gone) {
      await this.serialized(() => this.commitPartition(p));
      await Promise.race([closing, new Promise((r) => setTimeout(r, 20))]);
    }
    await this.serialized(() => this.commitPartition(p));
    if (part.gone) return;
    part.gone = true;
    this.owned.delete(p);
    this.state.released(p);
  }
}
