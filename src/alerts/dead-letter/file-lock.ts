import { open, stat, unlink } from 'node:fs/promises';
import { UserError } from '../../errors/user-error';

const RETRY_MS = 10;

/**
 * Runs `op` holding `lockPath`, a lock file created with O_EXCL: several processes (the daemon
 * appending dead letters, `tcpwarden alerts retry` rewriting the list) never interleave a
 * read-modify-write. A lock older than `staleMs` is taken over: its holder died.
 */
export async function withFileLock<T>(lockPath: string, op: () => Promise<T>, waitMs = 10_000, staleMs = 30_000): Promise<T> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > staleMs) await unlink(lockPath).catch(() => undefined);
      else if (Date.now() > until)
        throw new UserError('ALERTS_DEAD_LETTER_LOCKED', `${lockPath} has been held for over ${waitMs / 1000} s by another process`);
      else await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  try {
    return await op();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
