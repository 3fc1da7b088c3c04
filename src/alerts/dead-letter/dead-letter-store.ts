import type { Deadline } from '../../lifecycle/deadline';
import type { DeadLetterEntry } from './dead-letter-entry';

/** The persisted dead-letter list `tcpwarden alerts failed` shows and `alerts retry` drains. */
export interface DeadLetterStore {
  add(entry: DeadLetterEntry): Promise<void>;
  /** Oldest first. */
  list(): Promise<DeadLetterEntry[]>;
  remove(ids: string[]): Promise<void>;
  /** Writes still going finish, until `deadline` when the list lives in Redis. */
  close(deadline?: Deadline): Promise<void>;
}
