/**
 * Real cgroup v2 directories a test makes in the layouts container runtimes and systemd use
 * (docker-<id>.scope, kubepods pod slices, libpod-<id>.scope, <name>.service), to move real
 * processes into. Found from /proc/self/mountinfo (hybrid hosts mount v2 at
 * /sys/fs/cgroup/unified, pure v2 hosts at /sys/fs/cgroup). `destroy()` moves any process still
 * inside back to the root and removes the directories it made, deepest first; tests call it from
 * afterAll (and finally), so it runs when a test fails too.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The cgroup v2 mount point, or undefined when this host has none. */
export function cgroupV2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] === 'cgroup2') return left.split(' ')[4];
  }
  return undefined;
}

/** Why cgroup tests cannot run here, or null. */
export const cgroupSkipReason: string | null =
  process.getuid?.() !== 0 ? 'not root' : cgroupV2Mount() === undefined ? 'no cgroup v2 mount in /proc/self/mountinfo' : null;

/** A Kubernetes pod uid. */
export const podUid = (): string => randomUUID();

/** A 64-hex container id, like the runtimes make. */
export const containerId = (): string => randomBytes(32).toString('hex');

export interface TestCgroups {
  /** The v2 mount point. */
  root: string;
  /** Makes `path` (relative to the v2 root, parents too) and returns it as /proc/PID/cgroup shows it. */
  make(path: string): string;
  /** Moves a process into `path` (made with make()). */
  move(pid: number, path: string): void;
  /** The usual layouts, each a fresh path made under the root. */
  dockerScope(id?: string): string;
  kubepodsScope(podUid: string, id?: string, runtime?: 'cri-containerd' | 'crio'): string;
  libpodScope(id?: string): string;
  service(name: string): string;
  destroy(): void;
}

export function createTestCgroups(): TestCgroups {
  const root = cgroupV2Mount();
  if (!root) throw new Error('no cgroup v2 mount');
  const created: string[] = [];
  const cg: TestCgroups = {
    root,
    make(path) {
      const parts = path.split('/').filter((p) => p !== '');
      let dir = root;
      for (const p of parts) {
        dir = join(dir, p);
        if (!existsSync(dir)) {
          mkdirSync(dir);
          created.push(dir);
        }
      }
      return `/${parts.join('/')}`;
    },
    move(pid, path) {
      writeFileSync(join(root, path, 'cgroup.procs'), String(pid));
    },
    dockerScope(id = containerId()) {
      return cg.make(`system.slice/docker-${id}.scope`);
    },
    kubepodsScope(podUid, id = containerId(), runtime = 'cri-containerd') {
      const u = podUid.replace(/-/g, '_');
      return cg.make(`kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${u}.slice/${runtime}-${id}.scope`);
    },
    libpodScope(id = containerId()) {
      return cg.make(`machine.slice/libpod-${id}.scope`);
    },
    service(name) {
      return cg.make(`system.slice/${name}`);
    },
    destroy() {
      for (const dir of created.splice(0).reverse()) {
        try {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '')) {
            writeFileSync(join(root, 'cgroup.procs'), pid);
          }
          rmdirSync(dir);
        } catch {
          // gone already, or a process we could not move: left for the next run to report
        }
      }
    },
  };
  return cg;
}
