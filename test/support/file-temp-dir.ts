/**
 * A temporary directory that lasts as long as the test file (or the benchmark process) that made
 * it. A benchmark removes it when the process exits. Under Jest the sandboxed `process` never sees
 * 'exit', so the directory is also listed in the file's global, and the test environment
 * (leftover-guard-environment.ts) removes the listed ones after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The name of the file's global that lists the directories. */
export const FILE_TEMP_DIRS_GLOBAL = 'tcpwardenFileTempDirs';

export function fileTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const global = globalThis as Record<string, unknown>;
  ((global[FILE_TEMP_DIRS_GLOBAL] ??= []) as string[]).push(dir);
  return dir;
}
