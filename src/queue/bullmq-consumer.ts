import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { Deadline } from '../lifecycle/deadline';
import { decodeBatch } from './batch-codec';
import { DEFAULT_FAILOVER_MS, type BullmqConsumerOptions } from './bullmq-consumer-options';
import type { EventConsumer } from './consumer';
import { BatchApplier } from './batch-applier';
import type { BatchHandler } from './event-batch';
import { OwnedPartition } from './owned-partition';
import { PartitionCheckpoints } from './partition-checkpoints';
import { PartitionLeases } from './partition-leases';
import type { PartitionOwnership } from './partition-ownership';
import type { PartitionState } from './partition-state';
import type { SealedBatch } from './sealed-batch';
import { closeRedis, connectRedis } from './redis-connection';
import { KEY_PREFIX, partitionQueueName } from './redis-keys';
import type { ConsumerMetrics } from './transport-metrics';

/** Batches asked for ahead of the one being applied, while batches flow. */
const TAKE_AHEAD = 8;

/**
 * The share of the time a partition's commits may take. A commit encodes the whole state, whose
 * size the traffic sets: under a flood from 1,024 sources it was more than half of the engine
 * role's CPU at a fifth of the time (0.2 core of the 0.1 the whole detector is meant to take). A
 * small state is still committed at every tick; a large one less often, which costs only the
 * batches a successor applies again after a crash (exactly once still, see OwnedPartition).
 */
const COMMIT_SHARE = 0.05;

const NO_STATE: PartitionState = { acquired: () => undefined, snapshot: () => Buffer.alloc(0), released: () => undefined };

/**
 * Engine side on Redis: one BullMQ worker per partition this process holds the lease of.
 *
 * A batch's job stays active (its lock renewed) from the moment the handler applied it until a
 * commit saved the partition's state holding it, fenced on the lease; only then does the job
 * complete. So a worker killed at any point loses nothing: batches it never committed come
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
  private readonly applier: BatchApplier;
  private handler: BatchHandler | null = null;
  private state: PartitionState = NO_STATE;
  private committing: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly redis: IORedis,
    private readonly leaseRedis: IORedis,
    private readonly options: BullmqConsumerOptions,
  ) {
    this.applier = new BatchApplier(options);
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

  /**
   * Throws RedisUnreachableError (a UserError) when Redis does not answer now; later outages are
   * waited out. `signal` abandons the connection attempt (a stop during the start).
   */
  static async connect(options: BullmqConsumerOptions, signal?: AbortSignal): Promise<BullmqConsumer> {
    const redis = await connectRedis(options, 'blocking', signal);
    // Leases and commits fail fast while Redis is away, so local expiry (not a stuck command) decides ownership.
    const leaseRedis = await connectRedis(options, 'failFast', signal).catch((err: unknown) => {
      redis.disconnect();
      throw err;
    });
    return new BullmqConsumer(redis, leaseRedis, options);
  }

  /** The connections to Redis (the process's health check watches them). */
  get connections(): IORedis[] {
    return [this.redis, this.leaseRedis];
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
    return this.applier.metrics();
  }

  async close(timeoutMs = 10_000): Promise<number> {
    const deadline = Deadline.after(timeoutMs);
    clearInterval(this.commitTimer);
    // Every partition stops taking batches at once; each is then committed and given back.
    for (const part of this.owned.values()) part.stop();
    let left = 0;
    if (!(await deadline.settles(this.leases.stop()))) {
      // Redis away or too slow: the partitions still here are left as a dead worker leaves them. Their
      // batches' locks lapse and the next owner takes them, from the last commit.
      for (const [p, part] of [...this.owned]) {
        left += part.uncommitted;
        clearInterval(part.renewal);
        part.gone = true;
        this.owned.delete(p);
        this.state.released(p);
        void part.worker.close(true).catch(() => undefined);
      }
    }
    // The queues share the connection: closing them sends nothing.
    await Promise.all(this.queues.map((q) => deadline.settles(q.close())));
    // Disconnecting also ends whatever still waits on Redis (a commit, a lease release).
    await Promise.all([closeRedis(this.redis, deadline), closeRedis(this.leaseRedis, deadline)]);
    return left;
  }

  /** Commits never overlap: each takes its snapshots and batches in one synchronous step. */
  private serialized(run: () => Promise<void>): Promise<void> {
    const next = this.committing.then(run);
    this.committing = next.catch(() => undefined);
    return next;
  }

  /**
   * Saves one partition's state with the batches it covers, then completes their jobs. While
   * Redis is away the batches wait (their locks renewed) for a later commit.
   */
  private async commitPartition(p: number, always = false): Promise<void> {
    const part = this.owned.get(p);
    if (!part || part.gone) return;
    // A large state (a flood of distinct peers) costs its encoding and transfer at every commit:
    // commits of a partition are spaced so that they take at most COMMIT_SHARE of the time.
    if (!always && Date.now() < part.nextCommitAt) return;
    const began = Date.now();
    const snapshot = this.state.snapshot(p);
    const { covered, taken } = part.beginCommit();
    let saved: boolean;
    try {
      saved = await this.checkpoints.save(p, snapshot, covered);
    } catch {
      part.retryLater(taken);
      return;
    } finally {
      part.nextCommitAt = Date.now() + (1 / COMMIT_SHARE - 1) * (Date.now() - began);
    }
    // The lease went to another worker: it starts from our previous commit and gets these batches back.
    if (!saved) return this.stopPartition(p, true);
    await Promise.all(
      taken.map(async ({ job, events }) => {
        try {
          await job.moveToCompleted(null, part.token, false);
          part.completed(job.id!);
          this.applier.acknowledged(1, events);
        } catch {
          // The lock lapsed (a stall longer than lockDurationMs): the job goes back to the queue and,
          // still listed as covered, is not counted again when it returns.
          part.unlocked(job.id!);
        }
      }),
    );
    if (!part.ready) await this.settle(p, part).catch(() => undefined);
  }

  /** Checks, in one transaction, whether every batch the partition's state must hold is in. */
  private async settle(p: number, part: OwnedPartition): Promise<void> {
    const queue = this.queues[p];
    // BullMQ takes from the right end of the wait list, and gives stalled jobs back there too.
    const replies = await this.leaseRedis.multi().lrange(queue.keys.active, 0, -1).lindex(queue.keys.wait, -1).exec();
    if (!replies || replies.some(([err]) => err)) return;
    const next = replies[1][1] as string | null;
    // Queued when, by the producer's clock (hosts are expected to keep NTP time).
    const queuedAt = next ? Number(await this.leaseRedis.hget(queue.toKey(next), 'timestamp')) : undefined;
    part.settle(replies[0][1] as string[], queuedAt);
  }

  private async startPartition(p: number): Promise<void> {
    const handler = this.handler;
    if (!handler || this.owned.has(p)) return;
    const saved = await this.checkpoints.load(p);
    const lockDuration = this.options.lockDurationMs ?? DEFAULT_FAILOVER_MS;
    // No processor: batches are taken one by one (in queue order) and completed at commits.
    const worker = new Worker(partitionQueueName(p), null, {
      connection: this.redis,
      prefix: KEY_PREFIX,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? Math.floor(lockDuration / 4),
      maxStalledCount: this.options.maxStalledCount ?? 3,
      removeOnComplete: { count: this.options.keepCompleted ?? 100 },
      removeOnFail: { count: this.options.keepFailed ?? 1000 },
      // Seconds an idle take waits for a batch: how soon a handover notices it should stop.
      drainDelay: 1,
    });
    // Without a listener an 'error' (Redis restarting) would be thrown; the worker reconnects by itself.
    worker.on('error', () => undefined);
    const part = new OwnedPartition(worker, `${this.leases.workerId}:${p}:${randomBytes(4).toString('hex')}`, saved?.covered ?? []);
    this.owned.set(p, part);
    this.state.acquired(p, saved?.state);
    // Batches a dead worker held come back once their locks lapse: the stalled check moves them.
    await worker.startStalledCheckTimer();
    part.loop = this.takeLoop(p, part, handler);
    part.renewal = setInterval(() => {
      const ids = part.lockedJobIds();
      if (ids.length > 0) void worker.extendJobLocks(ids, ids.map(() => part.token), lockDuration).catch(() => undefined);
    }, Math.floor(lockDuration / 3));
    void part.loop.finally(() => clearInterval(part.renewal));
  }

  /** Takes the partition's batches in queue order and applies each, until the partition stops. */
  private async takeLoop(p: number, part: OwnedPartition, handler: BatchHandler): Promise<void> {
    const max = this.options.maxUncommittedBatches ?? 2000;
    // Takes in flight: a few while batches flow, so Redis's round trips overlap the handler's work
    // (replies come back in the order asked, so batches stay in queue order); one while idle, which
    // blocks in Redis rather than polling it.
    const ahead: Promise<Job<string> | undefined>[] = [];
    let flowing = false;
    for (;;) {
      // Refilled half at a time: the takes of one refill reach Redis together, and waking Redis (a
      // context switch on a busy host) is most of what a take costs this process.
      const refill = flowing ? ahead.length <= TAKE_AHEAD / 2 : ahead.length === 0;
      while (refill && !part.stopped && ahead.length < (flowing ? TAKE_AHEAD : 1)) ahead.push(this.take(part));
      const job = await ahead.shift();
      flowing = job !== undefined;
      // A batch taken after the partition left stays untouched: its lock lapses and the next owner gets it.
      if (job && !part.gone) await this.apply(p, part, handler, job);
      else if (part.stopped && ahead.length === 0) return;
      if (part.uncommitted >= max) await part.room();
    }
  }

  /** The partition's next batch, or undefined when none came within the drain delay (or Redis is away). */
  private async take(part: OwnedPartition): Promise<Job<string> | undefined> {
    try {
      return await part.worker.getNextJob(part.token, { block: true });
    } catch {
      // Redis away: the worker reconnects by itself; try again shortly.
      await new Promise((r) => setTimeout(r, 200));
      return undefined;
    }
  }

  private async apply(p: number, part: OwnedPartition, handler: BatchHandler, job: Job<string>): Promise<void> {
    let batch: SealedBatch;
    try {
      batch = decodeBatch(Buffer.from(job.data, 'base64'));
      // The job is held until the commit that completes it (a second of batches), which needs only
      // its id and options: without its data, the largest part by far, it no longer outlives the
      // young generation and fills the old one (a tenth of this process's time went to the GC).
      job.data = '';
    } catch (err) {
      // Not a batch this release can read: set aside in the failed set, the partition goes on.
      return this.giveUp(part, job, `unreadable batch in partition ${p}: ${(err as Error).message}`, 0);
    }
    // Its workers kept dying while holding it (maxStalledCount): given up, and counted as lost.
    if (job.deferredFailure) return this.giveUp(part, job, job.deferredFailure, batch.events.length);
    // Already in the state (the previous owner committed it, or it came back after a lost lock): count it once.
    if (part.holds(job.id!)) return part.take(job, batch.events.length);
    // attemptsStarted counts takes of this job, including those of workers that died holding it.
    const applied = await this.applier.apply(handler, batch, Math.max(1, job.attemptsStarted), () => part.take(job, batch.events.length));
    // The applier counted the loss already.
    if (!applied) await this.giveUp(part, job, `batch ${batch.id} of partition ${p}: handler failed on every attempt`, 0);
  }

  /** Moves a batch to the failed set, counting `lostEvents` as lost. */
  private async giveUp(part: OwnedPartition, job: Job<string>, reason: string, lostEvents: number): Promise<void> {
    await job.moveToFailed(new Error(reason), part.token, false).catch(() => undefined);
    part.completed(job.id!);
    if (lostEvents > 0) this.applier.failed(lostEvents);
  }

  private async stopPartition(p: number, lost: boolean): Promise<void> {
    const part = this.owned.get(p);
    if (!part) return;
    part.stop();
    if (lost || this.redis.status !== 'ready') {
      // The lease is gone (or Redis with it): nothing more may be committed. Batches in hand keep
      // their jobs active until the locks lapse, and go to the next owner.
      part.gone = true;
      clearInterval(part.renewal);
      this.owned.delete(p);
      this.state.released(p);
      await part.worker.close(true);
      return;
    }
    // Handing over: take no more batches, commit every one taken, then go.
    await part.loop;
    await this.serialized(() => this.commitPartition(p, true));
    if (part.gone) return;
    part.gone = true;
    clearInterval(part.renewal);
    this.owned.delete(p);
    this.state.released(p);
    // Forced: no processor runs here (batches are taken by hand and all committed above), so it only
    // drops the blocking connection instead of a QUIT that would wait for a Redis gone meanwhile.
    await part.worker.close(true);
  }
}
