/**
 * Whether this process can run the kernel tests, and if not, why. Kernel suites use
 * `describeKernel` (and the VM suites `describeKernelVm`): without root or without a current
 * build they are skipped with the reason in their name and one visible line, so a run shows them
 * as skipped, never as passed. With TCPWARDEN_REQUIRE_KERNEL=1 (scripts/test.sh sets it as root,
 * so CI does) a reason to skip fails the suite instead: a green run then means they all ran.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ADDON = join(ROOT, 'native', 'build', 'Release', 'tcpwarden.node');
const SKELETON = join(ROOT, 'bpf', '.output', 'tcpwarden.skel.h');
const BUILD_STATUS = join(ROOT, 'native', 'build-status.json');

export const kernelRequired = process.env.TCPWARDEN_REQUIRE_KERNEL === '1';

/** Newest modification time of the sources in `dir` with one of `endings`. */
function newestSource(dir: string, endings: string[]): number {
  return Math.max(0, ...readdirSync(join(ROOT, dir)).filter((f) => endings.some((e) => f.endsWith(e))).map((f) => statSync(join(ROOT, dir, f)).mtimeMs));
}

/**
 * Why the built collector cannot be trusted, or null: the last build failed, a file is missing,
 * or a source is newer than what was built from it (a failed rebuild leaves the old files).
 */
export function buildProblem(): string | null {
  let status: { ok?: boolean; reason?: string | null };
  try {
    status = JSON.parse(readFileSync(BUILD_STATUS, 'utf8')) as typeof status;
  } catch {
    return 'the collector was never built (node scripts/build-native.js --strict)';
  }
  if (!status.ok) return `the last collector build failed: ${status.reason ?? 'no reason recorded'}`;
  if (!existsSync(SKELETON)) return 'BPF skeleton missing (node scripts/build-native.js --strict)';
  if (!existsSync(ADDON)) return 'native addon missing (node scripts/build-native.js --strict)';
  if (newestSource('bpf', ['.c', '.h']) > statSync(SKELETON).mtimeMs) return 'the BPF object is older than bpf/ sources: rebuild (node scripts/build-native.js --strict)';
  if (Math.max(newestSource('native', ['.cc', '.h', '.gyp']), statSync(SKELETON).mtimeMs) > statSync(ADDON).mtimeMs) {
    return 'the native addon is older than its sources: rebuild (node scripts/build-native.js --strict)';
  }
  return null;
}

function reason(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root';
  return buildProblem();
}

export const kernelSkipReason = reason();

/**
 * `describe` for a suite that needs what `skip` names: skipped with the reason (one visible line),
 * or, when kernel tests are required, one failing test that says why.
 */
export function describeUnless(skip: string | null, name: string, fn: () => void): void {
  if (!skip) return describe(name, fn);
  if (kernelRequired) {
    describe(name, () => {
      test('runs (TCPWARDEN_REQUIRE_KERNEL=1)', () => {
        throw new Error(`kernel tests are required here but cannot run: ${skip}`);
      });
    });
    return;
  }
  console.warn(`SKIPPED kernel tests "${name}": ${skip}`);
  describe.skip(`${name} [SKIPPED: ${skip}]`, fn);
}

export const describeKernel = ((name: string, fn: () => void) => describeUnless(kernelSkipReason, name, fn)) as jest.Describe;
