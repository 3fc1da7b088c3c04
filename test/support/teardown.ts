/**
 * What a test set up and must take down even when it fails: children to kill and undo steps,
 * run newest first from afterEach/afterAll. Children are killed before namespaces are deleted, so
 * no process is left holding a namespace (or its firewall rules) alive.
 */
import type { ChildProcess } from 'node:child_process';

export class Teardown {
  private steps: Array<() => void | Promise<void>> = [];

  /** Kills `child` (SIGKILL) at teardown unless it has exited by then; returns it. */
  child<T extends ChildProcess>(child: T): T {
    this.steps.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return child;
  }

  /** Runs `step` at teardown. */
  add(step: () => void | Promise<void>): void {
    this.steps.push(step);
  }

  /** Runs every step, newest first; a failing step does not stop the others. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  }
}
