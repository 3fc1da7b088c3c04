/** Runs the built `tcpwarden` CLI (bin/tcpwarden -> dist/) as a child process (run-cli.ts runs it in this process). */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import type { Teardown } from './teardown';

export const BIN = join(__dirname, '..', '..', 'bin', 'tcpwarden');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when stderr has printed a line matching `pattern`. */
  stderrLine(pattern: RegExp): Promise<void>;
  /** What stderr has printed so far. */
  stderrSoFar(): string;
  done: Promise<CliResult>;
}

/** `wrap` runs the CLI under another command (e.g. setpriv), which is given node and the script. */
export function startCli(args: string[], options: SpawnOptions & { wrap?: string[] } = {}): RunningCli {
  const [cmd, ...pre] = options.wrap ?? [process.execPath];
  const child = spawn(cmd, [...pre, ...(options.wrap ? [process.execPath] : []), BIN, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const stderrLine = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stderr)) {
          child.stderr!.off('data', check);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      void done.then((r) => reject(new Error(`exited ${r.code} before printing ${pattern}: ${r.stderr}`)));
      check();
    });
  return { child, stderrLine, stderrSoFar: () => stderr, done };
}

/** Stops a started CLI: SIGTERM, then SIGKILL after 15 s; resolves once it exited. */
export async function stopCli(run: RunningCli): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  const killer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  await run.done;
  clearTimeout(killer);
}

/** startCli, the child stopped (stopCli) when `teardown` runs. */
export function startCliUntil(teardown: Teardown, args: string[]): RunningCli {
  const run = startCli(args);
  teardown.add(() => stopCli(run));
  return run;
}

export function runCliProcess(args: string[], options: SpawnOptions & { wrap?: string[] } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
