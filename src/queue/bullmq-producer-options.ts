import type { RedisTarget } from './redis-target';
import type { ProducerOptions } from './transport-options';

/** Options of a collector-side producer on Redis. */
export interface BullmqProducerOptions extends ProducerOptions, RedisTarget {
  /** Approximate bound on each partition queue's BullMQ event stream. Default 1,000 entries. */
  eventsStreamMaxLen?: number;
}
