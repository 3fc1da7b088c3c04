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
export { BullmqProducer } from './queue/bullmq-producer';
export type { BullmqProducerOptions } from './queue/bullmq-producer-options';
export { BullmqConsumer } from './queue/bullmq-consumer';
export type { BullmqConsumerOptions } from './queue/bullmq-consumer-options';
export { RedisUnreachableError } from './errors/redis-unreachable-error';
export { RedisUrlError } from './errors/redis-url-error';
export { PartitionCountMismatchError } from './errors/partition-count-mismatch-error';
