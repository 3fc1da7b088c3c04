import type { Worker } from 'bullmq';

/** A batch the partition's state holds, waiting for the commit that acknowledges it. */
interface Taken {
  id: string;
  events: number;
  acknowledge: () => void;
}

/**
 * One partition a BullMQ consumer owns: its worker, and which of its batches the handler's state
 * holds without the queue knowing yet. A batch's job completes only after a commit saved state
 * that holds it, so a worker that dies takes nothing with it: what it never committed comes back
 * to the next owner, and what it committed is in the state that owner starts from.
 */
export class OwnedPartition {
  worker: Worker | undefined;
  /** The partition left this worker: its batches wait for no commit any more (their locks lapse). */
  gone = false;
  /**
   * Batches the state holds that may still be delivered (id -> events): taken since the last
   * commit, committed but not yet completed, or left by the previous owner's last commit.
   */
  private readonly covered = new Map<string, number>();
  private taken: Taken[] = [];
  private isReady = false;
  private turn: Promise<unknown> = Promise.resolve();

  /** `inherited`: the batches the previous owner's last commit covers. */
  constructor(private readonly inherited: readonly string[]) {
    for (const id of inherited) this.covered.set(id, 0);
  }

  /**
   * Runs `apply` after every batch taken before it was applied: BullMQ hands batches over in queue
   * order, but with many in hand a retried one must not let later ones overtake it.
   */
  inTurn<T>(apply: () => Promise<T>): Promise<T> {
    const mine = this.turn.then(apply);
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  holds(jobId: string): boolean {
    return this.covered.has(jobId);
  }

  /**
   * Records that the state holds job `id` now (call in the same synchronous step as the handler);
   * resolves when a commit saved that state, never when the partition leaves first.
   */
  take(id: string, events: number): Promise<void> {
    this.covered.set(id, events);
    return new Promise((acknowledge) => this.taken.push({ id, events, acknowledge }));
  }

  /**
   * What a commit saves alongside a snapshot taken in the same synchronous step: the batches it
   * covers, and those to acknowledge once it is saved.
   */
  beginCommit(): { covered: string[]; taken: Taken[] } {
    const taken = this.taken;
    this.taken = [];
    return { covered: [...this.covered.keys()], taken };
  }

  /** A save failed (Redis away): the batches wait for the next commit. */
  retryLater(taken: Taken[]): void {
    this.taken = [...taken, ...this.taken];
  }

  /** The queue completed job `id`: it cannot come back. Returns its event count. */
  completed(id: string): number {
    const events = this.covered.get(id) ?? 0;
    this.covered.delete(id);
    return events;
  }

  get uncommitted(): number {
    return this.taken.length;
  }

  get ready(): boolean {
    return this.isReady;
  }

  /**
   * Given the queue's active jobs and its wait list length at one instant: the state is complete
   * once nothing waits and every active job is one the state holds. Until then, batches the
   * previous owner took without committing (their locks lapsing) or a backlog are still to come.
   */
  settle(active: readonly string[], waiting: number): boolean {
    if (this.isReady || waiting > 0 || !active.every((id) => this.covered.has(id))) return this.isReady;
    // What the previous owner committed and is neither active nor waiting was completed: it cannot come back.
    const live = new Set(active);
    for (const id of this.inherited) if (!live.has(id) && !this.taken.some((t) => t.id === id)) this.covered.delete(id);
    this.isReady = true;
    return true;
  }
}
