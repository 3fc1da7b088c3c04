/**
 * Boots a kernel image under qemu (software emulation: KVM guests hang on this machine) with a
 * busybox initramfs holding harness.cc, statically linked, and returns what the harness printed.
 * Nothing but loopback exists inside the VM.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProblem } from '../support/kernel-access';

const ROOT = join(__dirname, '..', '..');
/** The kernels scripts/fetch-test-kernel.sh fetches: Debian 12's 6.1 and Debian 11's 5.10. */
export const KERNELS = {
  '6.1': join(ROOT, '.cache', 'kernels', 'linux-6.1-cloud-amd64.vmlinuz'),
  '5.10': join(ROOT, '.cache', 'kernels', 'linux-5.10-cloud-amd64.vmlinuz'),
} as const;
const BUSYBOX = '/bin/busybox';

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tracefs tracefs /sys/kernel/tracing
ip link set lo up
echo TW-BEGIN
/harness
echo TW-END $?
poweroff -f
`;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Why the VM cannot run `kernel` here, or null. */
export function vmSkipReason(kernel: string): string | null {
  if (!existsSync(kernel)) return `no test kernel at ${kernel} (scripts/fetch-test-kernel.sh fetches it)`;
  for (const cmd of ['qemu-system-x86_64', 'cpio', 'g++']) if (!has(cmd)) return `${cmd} not installed`;
  if (!existsSync(BUSYBOX) || !/statically linked|static-pie/.test(execFileSync('file', ['-L', BUSYBOX], { encoding: 'utf8' }))) {
    return 'no static busybox (apt-get install busybox-static)';
  }
  return buildProblem();
}

/** Builds the harness and the initramfs, boots the kernel, and returns the harness's output lines. */
export function runHarnessInVm(kernel: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tw-vm-'));
  try {
    const rootfs = join(dir, 'rootfs');
    for (const d of ['bin', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
    execFileSync('g++', [
      '-static', '-O2', '-std=c++17',
      `-I${join(ROOT, 'bpf')}`, `-I${join(ROOT, 'bpf', '.output')}`, `-I${join(ROOT, 'native')}`,
      '-o', join(rootfs, 'harness'),
      join(__dirname, 'harness.cc'), join(ROOT, 'native', 'bpf-session.cc'), join(ROOT, 'native', 'aggregate-drain.cc'),
      '-lbpf', '-lelf', '-lz',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    writeFileSync(join(rootfs, 'init'), INIT);
    chmodSync(join(rootfs, 'init'), 0o755);
    const initrd = join(dir, 'initrd.cpio');
    execFileSync('sh', ['-c', `cd "${rootfs}" && find . | cpio -o -H newc --quiet > "${initrd}"`]);

    const vm = spawnSync('qemu-system-x86_64', [
      '-cpu', 'max', '-m', '1024', '-smp', '1', '-nographic', '-no-reboot', '-nic', 'none',
      '-kernel', kernel, '-initrd', initrd,
      '-append', 'console=ttyS0 panic=-1 quiet',
    ], { encoding: 'utf8', timeout: 180000, maxBuffer: 64 << 20 });
    const out = vm.stdout ?? '';
    const begin = out.indexOf('TW-BEGIN');
    const end = out.indexOf('TW-END');
    if (begin < 0 || end < 0) throw new Error(`the VM did not run the harness (status ${vm.status}, ${vm.error?.message ?? ''}):\n${out.slice(-3000)}`);
    return out
      .slice(begin, end + 12)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
