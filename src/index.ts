/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export * from './interfaces/alert';
export { UserError } from './errors/user-error';
export type { EventBatch, BatchHandler } from './queue/event-batch';
export type { EventProducer } from './queue/producer';
export type { EventConsumer } from './queue/consumer';
export type { PartitionOwnership } from './queue/partition-ownership';
export type { ProducerMetrics, ConsumerMetrics } from './queue/transport-metrics';
export type { ProducerOptions, ConsumerOptions } from './queue/transport-options';
export { partitionOf } from './queue/partition-of';
export { MemoryTransport } from './queue/memory-transport';
export { BullmqProducer, type BullmqProducerOptions } from './queue/bullmq-producer';
export { BullmqConsumer, type BullmqConsumerOptions } from './queue/bullmq-consumer';
export { RedisUnreachableError } from './errors/redis-unreachable-error';
export { RedisUrlError } from './errors/redis-url-error';
export { PartitionCountMismatchError } from './errors/partition-count-mismatch-error';
