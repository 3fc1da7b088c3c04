/**
 * The C load generators in bench/gen/ (SYN floods, connect loops, listeners), compiled once per
 * process (per test file under Jest) into a temporary directory that goes with it
 * (file-temp-dir.ts). Tests and benchmarks both run them, from src/ or from dist/.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root';
import { fileTempDir } from './file-temp-dir';

export type GeneratorName = 'syn-flood' | 'connect-loop' | 'accept-loop' | 'handshake-loop';

let dir: string | null = null;
const built = new Map<GeneratorName, string>();

/** The path of bench/gen/NAME.c compiled with -O2 (compiled on first use). */
export function buildGenerator(name: GeneratorName): string {
  const done = built.get(name);
  if (done) return done;
  dir ??= fileTempDir('tcpwarden-gen-');
  const out = join(dir, name);
  execFileSync('cc', ['-O2', '-o', out, join(packageRoot(), 'bench', 'gen', `${name}.c`)]);
  built.set(name, out);
  return out;
}
