import { UserError } from './user-error';

/** A worker started with another partition count than the deployment's: its ownership would disagree with everyone else's. */
export class PartitionCountMismatchError extends UserError {
  constructor(mine: number, deployed: number, key: string) {
    super(
      'PARTITION_COUNT_MISMATCH',
      `this worker uses ${mine} partitions but the deployment uses ${deployed} (Redis key ${key}); start every worker with the same count, or drain the queues and delete the key to change it`,
    );
  }
}
