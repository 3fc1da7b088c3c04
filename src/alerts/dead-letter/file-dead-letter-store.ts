import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetterEntry } from './dead-letter-entry';
import type { DeadLetterStore } from './dead-letter-store';
import { withFileLock } from './file-lock';

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';

/**
 * The dead-letter list without Redis: `<stateDir>/dead-letter.jsonl`, one entry per line. Adds are
 * appends; a removal rewrites the file through a rename so a crash leaves the old or the new list,
 * never half of one. Changes are serialized within the process and, through a lock file, across
 * processes, so an append never falls between another process's read and rename.
 */
export class FileDeadLetterStore implements DeadLetterStore {
  readonly path: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly stateDir: string) {
    this.path = join(stateDir, DEAD_LETTER_FILE);
  }

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const locked = async () => {
      await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
      return withFileLock(`${this.path}.lock`, op);
    };
    const next = this.chain.then(locked, locked);
    this.chain = next.catch(() => undefined);
    return next;
  }

  add(entry: DeadLetterEntry): Promise<void> {
    return this.serialized(() => appendFile(this.path, JSON.stringify(entry) + '\n', { mode: 0o600 }));
  }

  list(): Promise<DeadLetterEntry[]> {
    return this.serialized(() => this.read());
  }

  remove(ids: string[]): Promise<void> {
    const gone = new Set(ids);
    return this.serialized(async () => {
      const kept = (await this.read()).filter((e) => !gone.has(e.id));
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, kept.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
      await rename(tmp, this.path);
    });
  }

  async close(): Promise<void> {
    await this.chain;
  }

  private async read(): Promise<DeadLetterEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as DeadLetterEntry);
  }
}
