import type { Job, Worker } from 'bullmq';

/** A batch the partition's state holds, whose job waits for the commit that acknowledges it. */
export interface TakenBatch {
  job: Job<string>;
  events: number;
}

/**
 * One partition a BullMQ consumer owns: its worker, and which of its batches the handler's state
 * holds without the queue knowing yet. A batch's job completes only after a commit saved state
 * that holds it, so a worker that dies takes nothing with it: what it never committed comes back
 * to the next owner, and what it committed is in the state that owner starts from.
 */
export class OwnedPartition {
  /** Stop taking batches: a clean handover (`gone` stays false) or a lost lease (`gone` too). */
  private stopping = false;
  /** The partition left this worker: nothing of it may be committed or acknowledged any more. */
  gone = false;
  /** Epoch ms before which a routine commit skips this partition (see BullmqConsumer.commitPartition). */
  nextCommitAt = 0;
  /** Settles when the partition's take loop has ended. */
  loop: Promise<void> = Promise.resolve();
  /** Renews the locks of the jobs taken; stopped when the partition leaves (its loop may hang on a Redis gone away). */
  renewal?: NodeJS.Timeout;
  /**
   * Batches the state holds that may still be delivered (job id -> events): taken since the last
   * commit, committed but not yet completed, or left by the previous owner's last commit.
   */
  private readonly covered = new Map<string, number>();
  private taken: TakenBatch[] = [];
  /** Jobs locked by this worker: taken and not yet completed. */
  private readonly locked = new Set<string>();
  private isReady = false;
  private readonly acquiredAt = Date.now();
  private roomWaiters: (() => void)[] = [];

  /**
   * `inherited`: the batches the previous owner's last commit covers. `token`: the lock token of
   * every job this worker takes for the partition.
   */
  constructor(
    readonly worker: Worker,
    readonly token: string,
    private readonly inherited: readonly string[],
  ) {
    for (const id of inherited) this.covered.set(id, 0);
  }

  holds(jobId: string): boolean {
    return this.covered.has(jobId);
  }

  /** Records that the state holds `job`'s batch now: call in the same synchronous step as the handler. */
  take(job: Job<string>, events: number): void {
    this.covered.set(job.id!, events);
    this.locked.add(job.id!);
    this.taken.push({ job, events });
  }

  /** Batches taken and not yet committed. */
  get uncommitted(): number {
    return this.taken.length;
  }

  /** The jobs whose locks this worker holds now (taken, committing or completing), for lock renewal. */
  lockedJobIds(): string[] {
    return [...this.locked];
  }

  /** Resolves once a commit made room for more uncommitted batches, or the partition stops. */
  room(): Promise<void> {
    return this.stopping ? Promise.resolve() : new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Stops the take loop (it may be waiting for room). */
  stop(): void {
    this.stopping = true;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /**
   * What a commit saves alongside a snapshot taken in the same synchronous step: the batches it
   * covers, and those to acknowledge once it is saved.
   */
  beginCommit(): { covered: string[]; taken: TakenBatch[] } {
    const taken = this.taken;
    this.taken = [];
    for (const wake of this.roomWaiters.splice(0)) wake();
    return { covered: [...this.covered.keys()], taken };
  }

  /** A save failed (Redis away): the batches wait for the next commit. */
  retryLater(taken: TakenBatch[]): void {
    this.taken = [...taken, ...this.taken];
  }

  /** The queue completed (or failed) job `id`: it cannot come back. */
  completed(id: string): void {
    this.covered.delete(id);
    this.locked.delete(id);
  }

  /** The queue refused to complete job `id` (its lock lapsed): it may come back, and is still held by the state. */
  unlocked(id: string): void {
    this.locked.delete(id);
  }

  get ready(): boolean {
    return this.isReady;
  }

  /**
   * Given the queue's active jobs and when the next waiting job was queued (undefined: none waits),
   * read at one instant: the state is complete once every active job is one the state holds and
   * nothing queued before this worker took the partition still waits. Until then, batches the
   * previous owner took without committing (their locks lapsing) or the backlog of the time the
   * partition had no owner are still to come.
   */
  settle(active: readonly string[], nextQueuedAt: number | undefined): boolean {
    if (this.isReady || !active.every((id) => this.covered.has(id))) return this.isReady;
    if (nextQueuedAt !== undefined && nextQueuedAt < this.acquiredAt) return false;
    // What the previous owner committed and is no longer active was completed: it cannot come back.
    const live = new Set(active);
    for (const id of this.inherited) if (!live.has(id)) this.covered.delete(id);
    this.isReady = true;
    return true;
  }
}
