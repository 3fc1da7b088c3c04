import { randomBytes } from 'node:crypto';
import type { TcpEvent } from '../interfaces/tcp-event';
import { partitionOf } from './partition-of';
import type { EventProducer } from './producer';
import type { BatchSink, SealedBatch } from './sealed-batch';
import type { ProducerMetrics } from './transport-metrics';
import type { ProducerOptions } from './transport-options';

/** The defaults of ProducerOptions (the run config applies the same ones). */
export const PRODUCER_DEFAULTS = { batchSize: 1000, lingerMs: 50, capacity: 100_000, partitions: 1 };
/** Batches handed to the sink in one call: one round trip carries many batches when the sink fell behind. */
const BATCHES_PER_SEND = 16;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * The producer side every transport shares: routes events to partitions, fills one open batch per
 * partition, seals it at `batchSize` events or after `lingerMs`, and hands sealed batches to the
 * transport's sink one call at a time, retrying with backoff while the sink fails. The buffer is
 * bounded: publish() drops (tail drop, counted per partition into the next batch's `lost`) instead
 * of blocking the collector or growing without limit while Redis is away.
 */
export class Batcher implements EventProducer {
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly capacity: number;
  private readonly partitions: number;
  private readonly keysOf?: (event: TcpEvent) => readonly string[];
  private readonly producerId = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly open: (TcpEvent[] | undefined)[];
  /** Drops per partition not yet carried by a batch. */
  private readonly pendingLost: number[];
  /** The collector's own loss, waiting for partition 0's next batch. */
  private pendingCollectorLost = 0;
  /** What the aggregates published since the last setAggregatesLack lack. */
  private aggregatesLack: readonly string[] = [];
  /** The kinds the collector does not trace, since the last setUntraced. */
  private untraced: readonly string[] = [];
  private readonly ready: SealedBatch[] = [];
  private lingerTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_MIN_MS;
  private sending = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly m: ProducerMetrics = { published: 0, dropped: 0, buffered: 0, sentEvents: 0, sentBatches: 0, sendErrors: 0 };

  constructor(
    private readonly sink: BatchSink,
    options: ProducerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? PRODUCER_DEFAULTS.batchSize;
    this.lingerMs = options.lingerMs ?? PRODUCER_DEFAULTS.lingerMs;
    this.capacity = options.capacity ?? PRODUCER_DEFAULTS.capacity;
    this.partitions = options.partitions ?? PRODUCER_DEFAULTS.partitions;
    this.keysOf = options.keysOf;
    if (this.partitions > 1 && !this.keysOf) {
      throw new TypeError('ProducerOptions.keysOf is required when partitions > 1: it decides which partition owner sees an event');
    }
    this.open = new Array(this.partitions).fill(undefined);
    this.pendingLost = new Array(this.partitions).fill(0);
  }

  publish(events: readonly TcpEvent[]): void {
    for (const event of events) {
      const parts = this.partitionsOf(event);
      this.m.published += parts.length;
      if (this.closed || this.m.buffered + parts.length > this.capacity) {
        this.m.dropped += parts.length;
        for (const p of parts) this.pendingLost[p]++;
        continue;
      }
      for (const p of parts) {
        const batch = (this.open[p] ??= []);
        batch.push(event);
        this.m.buffered++;
        if (batch.length >= this.batchSize) this.seal(p);
      }
    }
    if (this.m.buffered > 0 || this.hasPendingLoss()) this.armLinger();
    this.pump();
  }

  reportCollectorLoss(events: number): void {
    if (events <= 0) return;
    this.pendingCollectorLost += events;
    this.armLinger();
    this.pump();
  }

  setAggregatesLack(fields: readonly string[]): void {
    if (fields.join() === this.aggregatesLack.join()) return;
    // The open batches hold aggregates of the fields before: they go with what those lacked.
    for (let p = 0; p < this.partitions; p++) if (this.open[p]) this.seal(p);
    this.aggregatesLack = [...fields];
    this.pump();
  }

  setUntraced(kinds: readonly string[]): void {
    this.untraced = [...kinds];
  }

  private hasPendingLoss(): boolean {
    return this.pendingCollectorLost > 0 || this.pendingLost.some((n) => n > 0);
  }

  async flush(): Promise<void> {
    // Round again after waking: a loss that waited for the sink to go idle is sealed then.
    for (;;) {
      this.sealAll();
      this.pump();
      if (this.ready.length === 0 && !this.sending && !this.hasPendingLoss()) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (this.closed) return;
    }
  }

  metrics(): ProducerMetrics {
    return { ...this.m };
  }

  async close(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // A send still in flight may yet land; only what never left counts as dropped.
    for (const b of this.ready.splice(0)) this.settle(b, 'dropped');
    this.wakeIdle();
  }

  private partitionsOf(event: TcpEvent): readonly number[] {
    if (!this.keysOf) return [0];
    const parts: number[] = [];
    for (const key of this.keysOf(event)) {
      const p = partitionOf(key, this.partitions);
      if (!parts.includes(p)) parts.push(p);
    }
    return parts;
  }

  private seal(p: number): void {
    const events = this.open[p] ?? [];
    this.open[p] = undefined;
    const collectorLost = p === 0 ? this.pendingCollectorLost : 0;
    if (p === 0) this.pendingCollectorLost = 0;
    this.ready.push({ id: `${this.producerId}-${++this.seq}`, partition: p, createdAt: Date.now(), lost: this.pendingLost[p], collectorLost, aggregatesLack: this.aggregatesLack, untraced: this.untraced, events });
    this.pendingLost[p] = 0;
  }

  private sealAll(): void {
    // While the sink is busy or failing, a loss waits for the next batch with events; once it is
    // idle, an empty batch carries the loss so it reaches the engine (and empty batches never pile up).
    const idle = !this.sending && !this.retryTimer && this.ready.length === 0;
    for (let p = 0; p < this.partitions; p++) {
      if (this.open[p] || (idle && (this.pendingLost[p] > 0 || (p === 0 && this.pendingCollectorLost > 0)))) this.seal(p);
    }
  }

  private armLinger(): void {
    if (this.lingerTimer || this.closed) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.sealAll();
      this.pump();
    }, this.lingerMs);
  }

  private pump(): void {
    if (this.sending || this.retryTimer || this.ready.length === 0) {
      if (!this.sending && this.ready.length === 0) {
        if (this.hasPendingLoss()) this.armLinger();
        this.wakeIdle();
      }
      return;
    }
    this.sending = true;
    // Taken out of `ready` while in flight, so close() never counts a batch that may still land as dropped.
    const chunk = this.ready.splice(0, BATCHES_PER_SEND);
    this.sink(chunk).then(
      () => {
        for (const b of chunk) this.settle(b, 'sent');
        this.retryDelay = RETRY_MIN_MS;
        this.sending = false;
        this.pump();
      },
      () => {
        this.m.sendErrors++;
        this.sending = false;
        if (this.closed) {
          for (const b of chunk) this.settle(b, 'dropped');
          this.wakeIdle();
          return;
        }
        this.ready.unshift(...chunk);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.pump();
        }, this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
      },
    );
  }

  private settle(b: SealedBatch, outcome: 'sent' | 'dropped'): void {
    this.m.buffered -= b.events.length;
    if (outcome === 'dropped') {
      this.m.dropped += b.events.length;
      return;
    }
    this.m.sentEvents += b.events.length;
    this.m.sentBatches++;
  }

  private wakeIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
