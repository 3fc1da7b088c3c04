/**
 * Named network namespaces and long-running processes inside them, optionally moved into a test
 * cgroup (test/support/cgroups.ts): the pieces of a container-like victim. `destroy()` kills the
 * processes, then removes the cgroups and the namespaces; tests call it from afterAll.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createTestCgroups, type TestCgroups } from './cgroups';
import { NETNS_TAG } from './netns-tag';

export interface NamedNetns {
  name: string;
  inode: number;
}

export interface NamespacedProcesses {
  cgroups: TestCgroups;
  /** A new named namespace with loopback up. */
  netns(): NamedNetns;
  /**
   * Starts `cmd` inside namespace `ns` and moves it into `cgroup` (when given); with `ready`,
   * resolves once its stdout printed a match.
   */
  start(ns: NamedNetns, cgroup: string | undefined, cmd: string, args: string[], ready?: RegExp): Promise<ChildProcess>;
  destroy(): Promise<void>;
}

/** Resolves once `check` holds; fails after `ms`. */
export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;

export function createNamespacedProcesses(): NamespacedProcesses {
  const cgroups = createTestCgroups();
  const namespaces: string[] = [];
  const children: ChildProcess[] = [];
  return {
    cgroups,
    netns() {
      const name = `${NETNS_TAG}n${counter++}`;
      execFileSync('ip', ['netns', 'add', name]);
      namespaces.push(name);
      execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      return { name, inode: statSync(`/run/netns/${name}`).ino };
    },
    async start(ns, cgroup, cmd, args, ready) {
      const child = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
      exited.catch(() => undefined);
      if (ready) await Promise.race([new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => ready.test(String(d)) && resolve())), exited]);
      // `ip netns exec` execs the command itself: once /proc shows that, the pid is the command's.
      await until(() => {
        try {
          return readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')[0] !== 'ip';
        } catch {
          return false;
        }
      });
      if (cgroup) cgroups.move(child.pid!, cgroup);
      return child;
    },
    async destroy() {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
      cgroups.destroy();
      for (const name of namespaces.splice(0)) {
        try {
          execFileSync('ip', ['netns', 'del', name]);
        } catch {
          // removed already
        }
      }
    },
  };
}
