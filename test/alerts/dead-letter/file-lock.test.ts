import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../../src/alerts/dead-letter/file-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcpwarden-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('runs the operation holding the lock, and releases it', async () => {
  const lock = join(dir, 'x.lock');
  expect(await withFileLock(lock, async () => existsSync(lock))).toBe(true);
  expect(existsSync(lock)).toBe(false);
});

test('a live holder makes a waiter give up with a code; a dead holder\'s stale lock is taken over', async () => {
  const lock = join(dir, 'x.lock');
  writeFileSync(lock, '12345');
  await expect(withFileLock(lock, async () => 'ran', 100, 30_000)).rejects.toMatchObject({ code: 'ALERTS_DEAD_LETTER_LOCKED' });
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(lock, old, old);
  expect(await withFileLock(lock, async () => 'ran', 100, 30_000)).toBe('ran');
});
