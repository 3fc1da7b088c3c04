import type { Deadline } from '../../lifecycle/deadline';
import type { DeadLetterEntry } from './dead-letter-entry';

/** The persisted dead-letter list `tcpwarden alerts failed` shows and `alerts retry` drains. */
export interface DeadLetterStore {
  add(entry: DeadLetterEntry): Promise<void>;
  /** Oldest first. */
  list(): Promise<DeadLetterEntry[]>;
  /** Removes the entries, and ends any claim on them. */
  remove(ids: string[]): Promise<void>;
  /**
   * Claims entries for one `alerts retry` run, so two runs at the same moment never send the same
   * entry twice: resolves with the ids this caller now holds, those still in the list and claimed
   * by no other live run. A claim ends with remove() or release(), or when its holder dies.
   */
  claim(ids: string[]): Promise<string[]>;
  /** Gives up this caller's claims on the entries (left in the list). */
  release(ids: string[]): Promise<void>;
  /** Writes still going finish, until `deadline` when the list lives in Redis. */
  close(deadline?: Deadline): Promise<void>;
}
