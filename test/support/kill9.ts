import type { ChildProcess } from 'node:child_process';

/** SIGKILL, as `kill -9`: no cleanup of any kind runs in the child. Resolves once it is gone. */
export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
