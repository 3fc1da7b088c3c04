import { appendFile, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetterEntry } from './dead-letter-entry';
import type { DeadLetterStore } from './dead-letter-store';
import { withFileLock } from './file-lock';

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';
/** One file per claimed entry, named after the entry, holding the claiming process's pid. */
export const CLAIMS_DIR = 'dead-letter.claims';

/** True while process `pid` exists (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The dead-letter list without Redis: `<stateDir>/dead-letter.jsonl`, one entry per line. Adds are
 * appends; a removal rewrites the file through a rename so a crash leaves the old or the new list,
 * never half of one. Changes are serialized within the process and, through a lock file, across
 * processes, so an append never falls between another process's read and rename.
 *
 * Claims (for `alerts retry`) are files in `<stateDir>/dead-letter.claims/`, one per entry, holding
 * the claimer's pid, made and checked under the same lock. A claim whose process is gone (a retry
 * that crashed) is stale and taken over; the store is local to one host, so a pid says it all.
 */
export class FileDeadLetterStore implements DeadLetterStore {
  readonly path: string;
  private chain: Promise<unknown> = Promise.resolve();

  private readonly claims: string;

  constructor(readonly stateDir: string) {
    this.path = join(stateDir, DEAD_LETTER_FILE);
    this.claims = join(stateDir, CLAIMS_DIR);
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
      // Only after the entries left the list: a claim freed earlier could be taken and the entry sent again.
      for (const id of ids) await unlink(this.claimPath(id)).catch(() => undefined);
    });
  }

  claim(ids: string[]): Promise<string[]> {
    return this.serialized(async () => {
      const listed = new Set((await this.read()).map((e) => e.id));
      await mkdir(this.claims, { recursive: true, mode: 0o700 });
      const held: string[] = [];
      for (const id of ids) {
        if (!listed.has(id)) continue;
        const holder = Number(await readFile(this.claimPath(id), 'utf8').catch(() => ''));
        if (holder > 0 && alive(holder)) continue;
        await writeFile(this.claimPath(id), String(process.pid), { mode: 0o600 });
        held.push(id);
      }
      return held;
    });
  }

  release(ids: string[]): Promise<void> {
    return this.serialized(async () => {
      for (const id of ids) {
        const holder = Number(await readFile(this.claimPath(id), 'utf8').catch(() => ''));
        if (holder === process.pid) await unlink(this.claimPath(id)).catch(() => undefined);
      }
    });
  }

  async close(): Promise<void> {
    await this.chain;
  }

  /** Entry ids are ours (UUIDs) or a person's: encoded, so no id can name a path outside the claims dir. */
  private claimPath(id: string): string {
    return join(this.claims, encodeURIComponent(id).replace(/\./g, '%2E'));
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
