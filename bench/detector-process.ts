/**
 * `tcpwarden run` as a user runs it, as a child of a benchmark: started with its arguments,
 * `running` once it logged "detector running", stopped with SIGTERM (SIGKILL after 15 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root';

const BIN = join(packageRoot(), 'bin', 'tcpwarden');

export interface DetectorProcess {
  child: ChildProcess;
  /** Resolves once the detector logged that it runs; rejects if it exits first. */
  running: Promise<void>;
}

/** `nodeArgs` go to node itself, before the script: e.g. `--cpu-prof` for a profile of the detector. */
export function startDetector(args: string[], nodeArgs: string[] = []): DetectorProcess {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  const running = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
      if (said.includes('detector running')) resolve();
      // Only the tail matters for an error message; the log can grow long under a flood.
      if (said.length > 100_000) said = said.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`tcpwarden run ${args.join(' ')} exited ${code}: ${said.slice(-500)}`)));
  });
  // Once running, a later exit is the stop's business, not an unhandled rejection.
  running.catch(() => undefined);
  return { child, running };
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const hard = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => (clearTimeout(hard), resolve()));
          c.kill('SIGTERM');
        }),
    ),
  );
}
