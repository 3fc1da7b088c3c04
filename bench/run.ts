/**
 * `npm run bench [-- --json] [-- NAME...]`: runs every bench/<name>.bench.ts (or the named ones)
 * and prints its figures. Each benchmark measures on this machine and reports figures and the
 * ratios its issue asks for; nothing here asserts a time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, Figures } from './benchmark';
import { takeDownOnSignal } from './take-down';

async function main(argv: string[]): Promise<void> {
  takeDownOnSignal();
  const json = argv.includes('--json');
  const only = argv.filter((a) => !a.startsWith('--'));
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .sort();
  const all: Record<string, Figures> = {};
  for (const file of files) {
    const bench = (require(join(__dirname, file)) as { benchmark: Benchmark }).benchmark;
    if (only.length > 0 && !only.includes(bench.name)) continue;
    if (!json) process.stdout.write(`\n## ${bench.name}: ${bench.description}\n`);
    const log = json ? () => undefined : (line: string) => process.stdout.write(`  ${line}\n`);
    all[bench.name] = await bench.run(log);
    if (!json) {
      for (const [k, v] of Object.entries(all[bench.name])) process.stdout.write(`  ${k.padEnd(44)} ${v}\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(all) + '\n');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
