import type { TcpEvent } from '../interfaces/tcp-event';

/**
 * A decoded batch's columns by field (see batch-codec.ts): a string field's values are 1-based
 * indexes into the batch's dictionary (0 is absent), a number field's are the numbers (null is
 * absent). Undefined for a field the batch does not carry (none of its events has it, or another
 * release's field). Values are as they came off the wire: nothing here vouches for them.
 */
export type BatchColumns = Partial<Record<keyof TcpEvent, readonly unknown[]>>;
