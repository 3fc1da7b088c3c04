/**
 * The test environment of every test file: Node's, plus a guard that fails the file loudly when
 * it leaves anything behind — a child process (a `tcpwarden run`, a redis-server, a traffic
 * generator, a VM) or a network namespace made with test/support/netns.ts. It runs after the
 * file's own afterAll hooks, removes what is left (so the next file starts clean and Jest can
 * exit), and then fails the file naming each leftover. It also removes the temporary directories
 * the file's support code made (file-temp-dir.ts).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { TestEnvironment } from 'jest-environment-node';
import { FILE_TEMP_DIRS_GLOBAL } from './file-temp-dir';
import { NETNS_TAG } from './netns-tag';
import { descendantPids } from './process-tree';

/** A process that was asked to stop in the file's afterAll gets this long to finish (the stop deadline, plus margin). */
const GRACE_MS = 12_000;

interface Proc {
  pid: number;
  cmd: string;
}

/** Every live descendant of this process (the Jest worker, or Jest itself when run in band). */
function descendants(): Proc[] {
  return descendantPids(process.pid).map((pid) => ({ pid, cmd: commandLine(pid) }));
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
  } catch {
    return '?';
  }
}

/** Network namespaces made by this process's tests (test/support/netns.ts names them with NETNS_TAG). */
function namespaces(): string[] {
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(NETNS_TAG));
  } catch {
    return [];
  }
}

export default class LeftoverGuardEnvironment extends TestEnvironment {
  private before = new Set<number>();

  override async setup(): Promise<void> {
    await super.setup();
    this.before = new Set(descendants().map((p) => p.pid));
  }

  override async teardown(): Promise<void> {
    const leftovers = await this.leftovers();
    for (const p of leftovers.procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    for (const ns of leftovers.namespaces) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // removed meanwhile
      }
    }
    const dirs = (this.global as Record<string, unknown>)[FILE_TEMP_DIRS_GLOBAL];
    for (const dir of Array.isArray(dirs) ? (dirs as string[]) : []) rmSync(dir, { recursive: true, force: true });
    await super.teardown();
    const lines = [...leftovers.procs.map((p) => `process ${p.pid}: ${p.cmd}`), ...leftovers.namespaces.map((n) => `network namespace ${n}`)];
    if (lines.length > 0) {
      throw new Error(`this test file left behind (now removed):\n  ${lines.join('\n  ')}\nstop them in afterAll/afterEach, also when a test fails`);
    }
  }

  /** What is still there after the grace period: children exiting after SIGTERM get time to finish. */
  private async leftovers(): Promise<{ procs: Proc[]; namespaces: string[] }> {
    const until = Date.now() + GRACE_MS;
    for (;;) {
      const procs = descendants().filter((p) => !this.before.has(p.pid));
      const ns = namespaces();
      if ((procs.length === 0 && ns.length === 0) || Date.now() > until) return { procs, namespaces: ns };
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
