import type { TcpEvent } from '../interfaces/tcp-event';

/** A batch as the consumer's handler receives it: the events of one partition, in publish order. */
export interface EventBatch {
  /** `<producer id>-<sequence>`: unique per batch, the same on every attempt. */
  id: string;
  partition: number;
  /** Epoch ms when the producer sealed the batch; the time the handler gets it minus this is the queue lag. */
  createdAt: number;
  /**
   * Events of this partition the producer dropped (buffer overflow) since its previous batch for
   * the partition: the engine adds it to the loss figure of the windows this batch falls in (for a
   * batch without events, which carries only a loss, the window holding `createdAt`).
   */
  lost: number;
  /**
   * Events the collector lost before its producer (the kernel ring buffer was full), carried to
   * the engines so their event-loss alert covers every host's collector. On partition 0's batches.
   */
  collectorLost: number;
  /**
   * The event fields the batch's in-kernel aggregates (events with `value`, see isAggregate) do
   * not carry, because the collector's rules did not need them (docs/architecture.md, "Rules
   * newer than the collector's"): a rule that needs one must not count those aggregates. Plain
   * names, not checked against this release's fields: a field this release does not know is one
   * no rule here needs.
   */
  aggregatesLack: readonly string[];
  /**
   * The kinds the collector that published the batch does not trace: their tracepoints are
   * detached there, because its rules read none of them (or its kernel lacks them, or `probe` is
   * off), docs/events.md, "Kinds". An engine warns about a rule that reads one. Plain names, as
   * `aggregatesLack`.
   */
  untraced: readonly string[];
  events: readonly TcpEvent[];
  /** 1 on the handler's first attempt at the batch; higher after a handler failure or a crashed worker. */
  attempt: number;
}

/**
 * Applies one batch, synchronously: when it returns, the batch is in the handler's state, and the
 * transport acknowledges it once that state is committed (see EventConsumer.commit); throwing
 * means nothing was applied, and the batch is handed over again. A batch may arrive twice (a
 * crashed worker's batches go to the next owner), so the handler's state must record what it
 * holds (see docs/architecture.md). One batch at a time per partition.
 */
export type BatchHandler = (batch: EventBatch) => void;
