import { Deadline } from '../../lifecycle/deadline';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store';
import { deadLetterEntry } from './dead-letter-job';
import type { DeliveryClaims } from './delivery-claims';
import type { DeliveryEvents } from './delivery-events';
import type { DeliveryJob } from './delivery-job';
import type { DeliveryQueue } from './delivery-queue';
import { retryDelay, type RetryPolicy } from './retry-policy';
import type { SendAttempt } from './send-attempt';

export interface MemoryDeliveryQueueOptions {
  policy: RetryPolicy;
  /** Jobs waiting, retrying or in flight at once; beyond it a new job is dead-lettered as `queue_full`, not dropped. */
  maxPending: number;
  /** Requests in flight at once. */
  concurrency: number;
  claims: DeliveryClaims;
  deadLetters: DeadLetterStore;
  send: SendAttempt;
  events?: DeliveryEvents & { failed?(job: DeliveryJob, err: unknown): void };
  random?: () => number;
}

/**
 * The delivery queue without Redis. Bounded (maxPending) and in memory, so it survives no crash;
 * on close() every job still waiting for a retry, and every attempt still in flight at the
 * deadline, goes to the dead-letter file as `shutdown`, so an orderly stop loses nothing and
 * `tcpwarden alerts retry` can send it later.
 */
export class MemoryDeliveryQueue implements DeliveryQueue {
  private pending = 0;
  private active = 0;
  private closed = false;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly sleepers = new Set<(woke: boolean) => void>();
  private idleWaiters: (() => void)[] = [];
  /** Aborted at the close's deadline: cuts the attempts in flight short. */
  private readonly cut = new AbortController();
  /** Jobs dead-lettered because the queue closed before they were delivered. */
  private leftAtClose = 0;

  constructor(private readonly o: MemoryDeliveryQueueOptions) {}

  async enqueue(job: DeliveryJob): Promise<boolean> {
    if (this.closed) throw new Error('delivery queue is closed');
    if (!(await this.o.claims.claim(job.sinkId, job.alertId))) return false;
    if (this.pending >= this.o.maxPending) {
      try {
        await this.deadLetter(job, 0, 'queue_full');
      } catch (err) {
        // Not recorded anywhere: undo the claim so the caller's next hand-over is not taken for a duplicate.
        await this.o.claims.release(job.sinkId, job.alertId);
        throw err;
      }
    } else {
      this.pending++;
      void this.run(job);
    }
    await this.o.claims.confirm(job.sinkId, job.alertId);
    return true;
  }

  drained(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(deadline = Deadline.after(10_000)): Promise<number> {
    this.closed = true;
    for (const wake of this.sleepers) wake(false);
    // A receiver that never answers holds its attempt until its timeout: not past the deadline.
    if (!(await deadline.settles(this.drained()))) this.cut.abort();
    // Cut attempts end as retries that find the queue closed: dead-lettered to the local file, at once.
    await this.drained();
    await this.o.claims.close(deadline);
    return this.leftAtClose;
  }

  private async run(job: DeliveryJob): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        const result = await this.withSlot(() => this.o.send(job, this.cut.signal));
        this.o.events?.attempted?.(job, attempt, result);
        if (result.outcome === 'delivered') return;
        if (result.outcome === 'reject' || attempt >= this.o.policy.maxAttempts)
          return await this.deadLetter(job, attempt, result.reason, result.status);
        const woke = await this.sleep(retryDelay(this.o.policy, attempt, result.retryAfterMs, this.o.random));
        if (!woke) return await this.deadLetter(job, attempt, 'shutdown');
      }
    } catch (err) {
      this.o.events?.failed?.(job, err);
    } finally {
      if (--this.pending === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private async deadLetter(job: DeliveryJob, attempts: number, reason: string, status?: number): Promise<void> {
    await this.o.deadLetters.add(deadLetterEntry(job, attempts, reason, status));
    if (this.closed) this.leftAtClose++;
    this.o.events?.deadLettered?.(job, reason);
  }

  private async withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.o.concurrency) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.slotWaiters.shift()?.();
    }
  }

  /** Resolves true after `ms`, or false at once when the queue closes. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (woke: boolean) => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(woke);
      };
      const timer = setTimeout(() => wake(true), ms);
      this.sleepers.add(wake);
    });
  }
}
