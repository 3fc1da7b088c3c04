import type { TcpEvent } from '../interfaces/tcp-event';

/** Producer side options, shared by every transport. */
export interface ProducerOptions {
  /** Events per batch before it is sealed and sent. Default 1,000. */
  batchSize?: number;
  /** Longest time an event waits in an open batch. Default 50 ms. */
  lingerMs?: number;
  /** Events the local buffer holds (open and unsent batches) before publish() drops. Default 100,000. */
  capacity?: number;
  /** Partition count of the deployment: every producer and worker must use the same. Default 1. */
  partitions?: number;
  /**
   * The keys whose partitions an event goes to: the engine's group keys of the event for every rule
   * (see docs/architecture.md). Required when `partitions` > 1; with one partition every event goes to 0.
   * An event with no keys goes nowhere: no rule would count it.
   */
  keysOf?: (event: TcpEvent) => readonly string[];
}

/** Consumer side options, shared by every transport. */
export interface ConsumerOptions {
  /** Handler attempts per taking of a batch before the batch is given up (counted as failed). Default 3. */
  attempts?: number;
  /** Delay before the first retry of a failed handler, doubling each time. Default 100 ms. */
  retryDelayMs?: number;
}
