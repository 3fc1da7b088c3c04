/**
 * The C load generators in bench/gen/ (SYN floods, connect loops, listeners), compiled once per
 * process (per test file under Jest) into a temporary directory that goes when the process exits.
 * Under Jest the sandboxed `process` never sees 'exit': the test environment removes the directory
 * after the file instead (leftover-guard-environment.ts), which finds it in the file's global.
 * Tests and benchmarks both run them, from src/ or from dist/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root';

export type GeneratorName = 'syn-flood' | 'connect-loop' | 'accept-loop' | 'handshake-loop';

/** The name of the file's global that holds the directory. */
export const GENERATOR_DIR_GLOBAL = 'tcpwardenGeneratorDir';

let dir: string | null = null;
const built = new Map<GeneratorName, string>();

/** The path of bench/gen/NAME.c compiled with -O2 (compiled on first use). */
export function buildGenerator(name: GeneratorName): string {
  const done = built.get(name);
  if (done) return done;
  if (!dir) {
    const made = mkdtempSync(join(tmpdir(), 'tcpwarden-gen-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    (globalThis as Record<string, unknown>)[GENERATOR_DIR_GLOBAL] = made;
    dir = made;
  }
  const out = join(dir, name);
  execFileSync('cc', ['-O2', '-o', out, join(packageRoot(), 'bench', 'gen', `${name}.c`)]);
  built.set(name, out);
  return out;
}
