import type IORedis from 'ioredis';
import { Packr } from 'msgpackr';
import { leaseKey, stateKey } from './redis-keys';

/** What a worker commits for a partition it owns. */
export interface Checkpoint {
  /** The handler's state (PartitionState.snapshot). */
  state: Buffer;
  /**
   * Ids of the batches the state holds that may still be delivered again: acknowledged right after
   * this save, or not yet. A new owner skips them rather than counting them twice.
   */
  covered: string[];
  /** Worker id and epoch ms of the save, for operators reading the key. */
  owner: string;
  savedAt: number;
}

// Only the lease holder may write: a worker that lost its lease (and does not know it yet) must not
// overwrite what the partition's new owner commits. Lease and state share the hash tag: one slot.
const SAVE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 end return 0`;

const packr = new Packr({ useRecords: false, moreTypes: false });

/** Partitions' committed state in Redis, one key per partition, written only by its lease holder. */
export class PartitionCheckpoints {
  constructor(
    private readonly redis: IORedis,
    private readonly workerId: string,
  ) {}

  async load(partition: number): Promise<Checkpoint | undefined> {
    const raw = await this.redis.getBuffer(stateKey(partition));
    if (!raw) return undefined;
    const c = packr.unpack(raw) as Checkpoint;
    return { ...c, state: Buffer.from(c.state) };
  }

  /** False when this worker no longer holds the partition's lease (nothing was written). */
  async save(partition: number, state: Buffer, covered: string[]): Promise<boolean> {
    const checkpoint: Checkpoint = { state, covered, owner: this.workerId, savedAt: Date.now() };
    const saved = await this.redis.eval(SAVE_IF_OWNER, 2, leaseKey(partition), stateKey(partition), this.workerId, packr.pack(checkpoint));
    return saved === 1;
  }
}
