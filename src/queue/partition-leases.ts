import { randomBytes } from 'node:crypto';
import type IORedis from 'ioredis';
import { PartitionCountMismatchError } from '../errors/partition-count-mismatch-error';
import { DEFAULT_FAILOVER_MS } from './bullmq-consumer-options';
import type { PartitionLeaseOptions } from './partition-lease-options';
import { partitionOf } from './partition-of';
import type { PartitionOwnership } from './partition-ownership';
import { leaseKey, MEMBERS_KEY, PARTITIONS_KEY } from './redis-keys';

// Renew or delete only a lease we still hold: another worker may have taken it after ours expired.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Partition ownership by leases in Redis: each partition's key holds its owner's id with a TTL the
 * owner renews every third of it. Workers heartbeat into a sorted set; each aims at
 * ceil(partitions / live workers) partitions, takes free ones and gives back extras, so ownership
 * spreads when workers join and moves when one dies (its leases expire). Locally a lease counts
 * only until its TTL measured from the start of the last successful renewal, so a worker cut off
 * from Redis stops owning no later than Redis forgets it.
 */
export class PartitionLeases implements PartitionOwnership {
  readonly partitions: number;
  readonly workerId: string;
  private readonly ttlMs: number;
  /** Owned partition -> local expiry (epoch ms). */
  private readonly held = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly redis: IORedis,
    private readonly options: PartitionLeaseOptions,
  ) {
    this.partitions = options.partitions;
    this.ttlMs = options.ttlMs ?? DEFAULT_FAILOVER_MS;
    this.workerId = options.workerId ?? randomBytes(6).toString('hex');
  }

  partitionOf(key: string): number {
    return partitionOf(key, this.partitions);
  }

  owns(partition: number): boolean {
    const until = this.held.get(partition);
    return until !== undefined && Date.now() < until;
  }

  owned(): number[] {
    return [...this.held.keys()].filter((p) => this.owns(p)).sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.redis.set(PARTITIONS_KEY, String(this.partitions), 'NX');
    const deployed = Number(await this.redis.get(PARTITIONS_KEY));
    if (deployed !== this.partitions) throw new PartitionCountMismatchError(this.partitions, deployed, PARTITIONS_KEY);
    await this.tick();
    this.timer = setInterval(() => void this.tickOnce(), Math.max(50, Math.floor(this.ttlMs / 3)));
  }

  /** Gives every partition back (after its consumer stopped) so others take over without waiting for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const p of [...this.held.keys()]) await this.release(p);
    await this.redis.zrem(MEMBERS_KEY, this.workerId).catch(() => undefined);
  }

  private tickOnce(): Promise<void> {
    // Ticks never overlap: a slow Redis delays the next one instead of stacking them.
    this.ticking = this.ticking.then(() => this.tick()).catch(() => undefined);
    return this.ticking;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      // Heartbeats on Redis's clock: hosts whose clocks disagree still agree on who is live.
      const [sec, usec] = await this.redis.time();
      const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      await this.redis.zadd(MEMBERS_KEY, now, this.workerId);
      await this.redis.zremrangebyscore(MEMBERS_KEY, '-inf', now - this.ttlMs);
      const live = Math.max(1, await this.redis.zcard(MEMBERS_KEY));
      await this.renew(started);
      await this.rebalance(Math.ceil(this.partitions / live), started);
    } catch {
      // Redis away: keep consuming what we hold until the local expiry, then let it go.
    }
    for (const [p, until] of this.held) if (Date.now() >= until) await this.lose(p);
  }

  private async renew(started: number): Promise<void> {
    for (const p of [...this.held.keys()]) {
      const ok = await this.redis.eval(RENEW, 1, leaseKey(p), this.workerId, this.ttlMs);
      if (ok === 1) this.held.set(p, started + this.ttlMs);
      else await this.lose(p);
    }
  }

  private async rebalance(target: number, started: number): Promise<void> {
    for (const p of [...this.held.keys()].slice(target)) await this.release(p);
    // Each worker starts its search at its own offset, so workers starting together rarely collide.
    const offset = partitionOf(this.workerId, this.partitions);
    for (let i = 0; i < this.partitions && this.held.size < target; i++) {
      const p = (offset + i) % this.partitions;
      if (this.held.has(p)) continue;
      const won = await this.redis.set(leaseKey(p), this.workerId, 'PX', this.ttlMs, 'NX');
      if (won !== 'OK') continue;
      this.held.set(p, started + this.ttlMs);
      try {
        await this.options.onAcquire(p);
      } catch (err) {
        // Not started (Redis went away mid-way): hold no lease we cannot serve.
        this.held.delete(p);
        await this.redis.eval(RELEASE, 1, leaseKey(p), this.workerId).catch(() => undefined);
        throw err;
      }
    }
  }

  private async release(p: number): Promise<void> {
    await this.options.onRelease(p, false);
    this.held.delete(p);
    await this.redis.eval(RELEASE, 1, leaseKey(p), this.workerId).catch(() => undefined);
  }

  private async lose(p: number): Promise<void> {
    this.held.delete(p);
    await this.options.onRelease(p, true);
  }
}
