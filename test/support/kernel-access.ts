/**
 * Whether this process can run the kernel tests, and if not, why. Kernel suites use
 * `describeKernel`: without root or without the built addon they are skipped with the reason in
 * their name, so a run shows them as skipped, never as passed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ADDON = join(__dirname, '..', '..', 'native', 'build', 'Release', 'tcpwarden.node');

function reason(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync(ADDON)) return 'native addon not built (npm run build)';
  return null;
}

export const kernelSkipReason = reason();

export const describeKernel: jest.Describe = kernelSkipReason
  ? (((name: string, fn: () => void) => {
      console.warn(`SKIPPED kernel tests "${name}": ${kernelSkipReason} (run the suite as root to run them)`);
      describe.skip(`${name} [SKIPPED: ${kernelSkipReason}]`, fn);
    }) as jest.Describe)
  : describe;
