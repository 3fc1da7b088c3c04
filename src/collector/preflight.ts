import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors/user-error';

// Capability bits (include/uapi/linux/capability.h).
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** What the checks look at; tests substitute it to reach every failure. */
export interface Machine {
  platform: NodeJS.Platform;
  /** The effective capability set (CapEff in /proc/self/status). */
  capabilities(): bigint;
  exists(path: string): boolean;
}

export const thisMachine: Machine = {
  platform: process.platform,
  capabilities() {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  },
  exists: existsSync,
};

function has(caps: bigint, cap: number): boolean {
  return (caps & (1n << BigInt(cap))) !== 0n;
}

/**
 * The checks that make a collector start fail with one line that says what to do, rather than
 * an errno from deep in libbpf. Run in order; the first failure throws a UserError.
 */
export function preflight(machine: Machine = thisMachine): void {
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
  if (!TRACEFS_ROOTS.some((root) => machine.exists(`${root}/events`))) {
    throw new UserError('COLLECTOR_NO_TRACEFS', 'tracefs is not mounted: mount it with `mount -t tracefs nodev /sys/kernel/tracing`');
  }
}
