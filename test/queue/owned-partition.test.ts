import type { Job, Worker } from 'bullmq';
import { OwnedPartition } from '../../src/queue/owned-partition';

const job = (id: string) => ({ id }) as Job<string>;
const partition = (inherited: string[] = []) => new OwnedPartition({} as Worker, 'token', inherited);

describe('OwnedPartition', () => {
  it("holds what the previous owner's commit covers, and what it takes, until the queue completes it", () => {
    const part = partition(['a-1']);
    expect(part.holds('a-1')).toBe(true);
    part.take(job('b-1'), 10);
    part.take(job('a-1'), 10); // came back after the previous owner died: held, not counted again by the caller
    const first = part.beginCommit();
    expect(first.covered.sort()).toEqual(['a-1', 'b-1']);
    expect(first.taken.map((t) => t.job.id)).toEqual(['b-1', 'a-1']);
    expect(part.lockedJobIds().sort()).toEqual(['a-1', 'b-1']);
    part.completed('b-1');
    part.unlocked('a-1'); // its lock lapsed: it may come back, so the state still lists it
    expect(part.beginCommit()).toEqual({ covered: ['a-1'], taken: [] });
    expect(part.lockedJobIds()).toEqual([]);
  });

  it('gives batches of a failed save to the next commit, in order', () => {
    const part = partition();
    part.take(job('x-1'), 1);
    const { taken } = part.beginCommit();
    part.take(job('x-2'), 1);
    part.retryLater(taken);
    expect(part.uncommitted).toBe(2);
    expect(part.beginCommit().taken.map((t) => t.job.id)).toEqual(['x-1', 'x-2']);
  });

  it('is ready once no active job is foreign and nothing queued before it took over still waits', () => {
    const before = Date.now() - 1000;
    const part = partition(['old-1']);
    // The dead owner's uncommitted batch is still active under its lock.
    expect(part.settle(['old-1', 'old-2'], undefined)).toBe(false);
    // Back in the queue, at its head, queued before this worker took over.
    expect(part.settle(['old-1'], before)).toBe(false);
    part.take(job('old-2'), 5);
    expect(part.settle(['old-1', 'old-2'], Date.now() + 1000)).toBe(true);
    // Once ready, what the previous owner committed and is no longer active is forgotten.
    expect(part.holds('old-1')).toBe(true);
    const fresh = partition(['gone-1']);
    expect(fresh.settle([], undefined)).toBe(true);
    expect(fresh.holds('gone-1')).toBe(false);
    expect(fresh.ready).toBe(true);
  });

  it('wakes a take loop waiting for room when a commit takes the batches, or when it stops', async () => {
    const part = partition();
    const woken: string[] = [];
    void part.room().then(() => woken.push('commit'));
    part.beginCommit();
    await Promise.resolve();
    void part.room().then(() => woken.push('stop'));
    part.stop();
    await Promise.resolve();
    expect(woken).toEqual(['commit', 'stop']);
    expect(part.stopped).toBe(true);
  });
});
