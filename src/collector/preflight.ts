import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors/user-error';
import { loadAddon } from './native-addon';

// Capability bits (include/uapi/linux/capability.h).
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
/** Where tracefs is mounted when it is missing: its own mount point since Linux 4.1. */
export const TRACEFS_MOUNT_POINT = TRACEFS_ROOTS[0];

/** What the checks look at; tests substitute it to reach every failure. */
export interface Machine {
  platform: NodeJS.Platform;
  /** The effective capability set (CapEff in /proc/self/status). */
  capabilities(): bigint;
  exists(path: string): boolean;
  /** mount(2) of tracefs at `path`; throws an Error with the errno name as `code`. */
  mountTracefs(path: string): void;
}

/** What the checks changed on the machine to let the collector start. */
export interface PreflightResult {
  /** Set when tracefs was not mounted and the check mounted it here. */
  mountedTracefs?: string;
}

export const thisMachine: Machine = {
  platform: process.platform,
  capabilities() {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  },
  exists: existsSync,
  mountTracefs: (path) => loadAddon().mountTracefs(path),
};

function has(caps: bigint, cap: number): boolean {
  return (caps & (1n << BigInt(cap))) !== 0n;
}

/**
 * The checks that make a collector start fail with one line that says what to do, rather than
 * an errno from deep in libbpf. Run in order; the first failure throws a UserError.
 */
export function preflight(machine: Machine = thisMachine): PreflightResult {
  if (machine.platform !== 'linux') {
    throw new UserError('COLLECTOR_NOT_LINUX', `the collector reads Linux kernel tracepoints; this is ${machine.platform}. Replay and rules work anywhere.`);
  }
  const caps = machine.capabilities();
  if (!has(caps, CAP_SYS_ADMIN) && !(has(caps, CAP_BPF) && has(caps, CAP_PERFMON))) {
    throw new UserError('COLLECTOR_NO_PRIVILEGE', 'loading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run it with sudo');
  }
  if (!machine.exists('/sys/kernel/btf/vmlinux')) {
    throw new UserError(
      'COLLECTOR_NO_BTF',
      'this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora and RHEL kernels have it)',
    );
  }
  if (TRACEFS_ROOTS.some((root) => machine.exists(`${root}/events`))) return {};
  // Minimal hosts and containers often leave tracefs unmounted, and libbpf finds a tracepoint's id
  // there. Mounting it is what systemd does at boot; it stays mounted for other tracing tools.
  try {
    machine.mountTracefs(TRACEFS_MOUNT_POINT);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EIO';
    throw new UserError(
      'COLLECTOR_NO_TRACEFS',
      `tracefs is not mounted and mounting it at ${TRACEFS_MOUNT_POINT} failed (${code}): mount it with \`mount -t tracefs nodev ${TRACEFS_MOUNT_POINT}\` (needs CAP_SYS_ADMIN; in a container, mount the host's tracefs into it)`,
    );
  }
  if (!machine.exists(`${TRACEFS_MOUNT_POINT}/events`)) {
    throw new UserError('COLLECTOR_NO_TRACEFS', `tracefs mounted at ${TRACEFS_MOUNT_POINT} lists no events: this kernel has no tracepoints (CONFIG_TRACEPOINTS)`);
  }
  return { mountedTracefs: TRACEFS_MOUNT_POINT };
}
