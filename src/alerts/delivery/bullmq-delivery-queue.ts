import { createHash } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { RetryableDeliveryError } from '../../errors/retryable-delivery-error';
import { Deadline } from '../../lifecycle/deadline';
import { closeRedis } from '../../queue/redis-connection';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store';
import { deadLetterEntry } from './dead-letter-job';
import type { DeliveryClaims } from './delivery-claims';
import type { DeliveryEvents } from './delivery-events';
import type { DeliveryJob } from './delivery-job';
import type { DeliveryQueue } from './delivery-queue';
import { retryDelay, type RetryPolicy } from './retry-policy';
import type { SendAttempt } from './send-attempt';

export const DELIVERY_QUEUE_NAME = 'tcpwarden-alerts';
/** Worker deaths mid-attempt a job survives (BullMQ's default is 1): a crash loop elsewhere should not fail deliveries. */
const MAX_STALLED = 5;

export interface BullmqDeliveryQueueOptions {
  redisUrl: string;
  policy: RetryPolicy;
  concurrency: number;
  claims: DeliveryClaims;
  deadLetters: DeadLetterStore;
  send: SendAttempt;
  events?: DeliveryEvents;
  /** Run a worker in this process (default true); false for a process that only queues. */
  work?: boolean;
  queueName?: string;
}

/** BullMQ job ids may not contain ':'; a hash of (sink, alert id) also makes BullMQ itself refuse a second copy while the first lives. */
function jobId(job: DeliveryJob): string {
  return createHash('sha256').update(`${job.sinkId}\n${job.alertId}`).digest('hex');
}

/**
 * Durable delivery through BullMQ: a job survives a crash of this process and is picked up by any
 * worker on the same Redis. BullMQ runs the retries (custom backoff: ours, honouring Retry-After);
 * a job that is refused or runs out of attempts is pushed to the Redis dead-letter list by the
 * processor itself, before BullMQ marks it failed, so a crash in between leaves a duplicate entry
 * rather than a lost one.
 */
export class BullmqDeliveryQueue implements DeliveryQueue {
  private readonly queue: Queue<DeliveryJob>;
  private readonly worker?: Worker<DeliveryJob>;
  private readonly connections: IORedis[] = [];
  /** Attempts in flight in this process's worker. */
  private readonly attempts = new Set<Promise<void>>();
  /** Aborted at the close's deadline: cuts the attempts in flight short. */
  private readonly cut = new AbortController();

  constructor(private readonly o: BullmqDeliveryQueueOptions) {
    const connect = () => {
      // BullMQ requires maxRetriesPerRequest: null so blocking commands wait out a Redis restart.
      // A short disconnect timeout: closing while Redis is away would otherwise hold the process 2 s.
      const c = new IORedis(o.redisUrl, { maxRetriesPerRequest: null, disconnectTimeout: 200 });
      // An EventEmitter 'error' without a listener would throw; reconnecting is ioredis's job.
      c.on('error', (err) => o.events?.connectionError?.(err));
      this.connections.push(c);
      return c;
    };
    const name = o.queueName ?? DELIVERY_QUEUE_NAME;
    this.queue = new Queue<DeliveryJob>(name, { connection: connect() });
    this.queue.on('error', (err) => o.events?.connectionError?.(err));
    if (o.work ?? true)
      this.worker = new Worker<DeliveryJob>(name, (job) => this.tracked(this.process(job)), {
        connection: connect(),
        concurrency: o.concurrency,
        maxStalledCount: MAX_STALLED,
        settings: {
          backoffStrategy: (attemptsMade, _type, err) =>
            retryDelay(o.policy, attemptsMade, err instanceof RetryableDeliveryError ? err.retryAfterMs : undefined),
        },
      });
    this.worker?.on('error', (err) => o.events?.connectionError?.(err));
  }

  async enqueue(job: DeliveryJob): Promise<boolean> {
    if (!(await this.o.claims.claim(job.sinkId, job.alertId))) return false;
    try {
      await this.queue.add('deliver', job, {
        jobId: jobId(job),
        attempts: this.o.policy.maxAttempts,
        backoff: { type: 'tcpwarden' },
        // Delivered jobs go after an hour (the claim keeps the idempotency). Failed ones are in the
        // dead-letter list, but are kept a week too: a job BullMQ fails by itself (its worker died
        // mid-attempt more than MAX_STALLED times) never reaches our processor's dead-lettering.
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      });
    } catch (err) {
      // If Redis cannot take the release either, the provisional claim lapses by itself.
      await this.o.claims.release(job.sinkId, job.alertId).catch(() => undefined);
      throw err;
    }
    // Queued: a failed confirm only shortens the claim, and BullMQ's own job id still refuses a copy for an hour.
    await this.o.claims.confirm(job.sinkId, job.alertId).catch((err: unknown) => this.o.events?.connectionError?.(err));
    return true;
  }

  async drained(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(deadline = Deadline.after(10_000)): Promise<number> {
    let left = 0;
    if (this.worker) {
      // No new jobs; the attempts in flight get until the deadline. One cut short then stays in
      // Redis (active until its lock lapses, then waiting again) for the next worker to attempt.
      await deadline.settles(this.worker.pause(true));
      if (!(await deadline.settles(Promise.all(this.attempts)))) {
        left = this.attempts.size;
        this.cut.abort();
      }
      // Forced: the jobs were waited for above; it drops the connections rather than QUIT into a Redis that may be gone.
      await deadline.settles(this.worker.close(true));
    }
    // What stays queued in Redis (waiting, retrying, cut short) when Redis can still say; a moment past the deadline is allowed for the answer.
    if (this.connections[0].status === 'ready') {
      const counts = this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused').then(
        (c) => Object.values(c).reduce((a, b) => a + b, 0),
        () => left,
      );
      if (await Deadline.after(deadline.remaining() + 500).settles(counts)) left = await counts;
    }
    await deadline.settles(this.queue.close());
    await Promise.all(this.connections.map((c) => closeRedis(c, deadline)));
    await this.o.claims.close(deadline);
    return left;
  }

  private tracked(attempt: Promise<void>): Promise<void> {
    const settled = attempt.catch(() => undefined);
    this.attempts.add(settled);
    void settled.then(() => this.attempts.delete(settled));
    return attempt;
  }

  private async process(bjob: Job<DeliveryJob>): Promise<void> {
    const job = bjob.data;
    const attempt = bjob.attemptsMade + 1;
    const result = await this.o.send(job, this.cut.signal);
    this.o.events?.attempted?.(job, attempt, result);
    if (result.outcome === 'delivered') return;
    if (result.outcome === 'reject' || attempt >= this.o.policy.maxAttempts) {
      await this.o.deadLetters.add(deadLetterEntry(job, attempt, result.reason, result.status));
      this.o.events?.deadLettered?.(job, result.reason);
      throw new UnrecoverableError(result.reason);
    }
    throw new RetryableDeliveryError(result.reason, result.retryAfterMs);
  }
}
