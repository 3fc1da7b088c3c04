/**
 * Two builds' engines in one process, pass by pass: each pass of the rules-engine benchmark's
 * traffic (both variants, 20 passes) runs through build A's engine and build B's, the order
 * flipped every pass, so other work on a shared machine lands on both alike; separate runs of the
 * benchmark differ by up to half from one run to the next. Prints per variant each build's median
 * pass (events/s), the median of the per-pass ratios B/A, and both builds' alert digests.
 *
 *   node dist/bench/rules-engine-interleaved.js <checkout A> <checkout B>   (each built with tsc)
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Engine } from '../src/engine/engine';
import type { CompiledRule } from '../src/rules/compiled-rule';
import type { TcpEvent } from '../src/interfaces/tcp-event';
import { changingPool, eventPool, livePass, median, samePool, tickBatches } from './rules-engine.bench';

const PASSES = 20;
const POOL_SPAN_MS = 20_000;

interface Build {
  Engine: new (rules: CompiledRule[]) => Engine;
  allRules: () => Promise<CompiledRule[]>;
}

/** A checkout's engine and benchmark rules, from its compiled `dist`. */
function load(checkout: string): Build {
  const dist = join(resolve(checkout), 'dist');
  const { Engine: engine } = require(join(dist, 'src/engine/engine')) as { Engine: Build['Engine'] };
  const { allRules } = require(join(dist, 'bench/bench-rules')) as { allRules: Build['allRules'] };
  return { Engine: engine, allRules };
}

async function variant(builds: Build[], label: string, passPool: (pool: TcpEvent[], pass: number) => TcpEvent[]): Promise<void> {
  const runs = await Promise.all(
    builds.map(async (b) => {
      const rules = await b.allRules();
      // Each build its own pool: the passes move it on in event time.
      const pool = eventPool();
      const passes = Array.from({ length: PASSES }, (_, pass) => tickBatches(passPool(pool, pass)));
      await livePass(new b.Engine(rules), tickBatches(pool));
      return { pool, passes, engine: new b.Engine(rules), digest: createHash('sha256'), rates: [] as number[] };
    }),
  );
  for (let pass = 0; pass < PASSES; pass++) {
    for (const k of pass % 2 === 0 ? [0, 1] : [1, 0]) {
      const run = runs[k];
      if (pass > 0) for (const e of run.pool) e.ts += POOL_SPAN_MS;
      const n = run.passes[pass].reduce((sum, b) => sum + b.length, 0);
      const started = process.hrtime.bigint();
      await livePass(run.engine, run.passes[pass], run.digest);
      run.rates.push(n / (Number(process.hrtime.bigint() - started) / 1e9));
    }
  }
  // The bench's median rounds to integers: the ratios go through it in thousandths.
  const ratios = runs[1].rates.map((r, i) => r / runs[0].rates[i]);
  const [a, b] = runs.map((r) => Math.round(median(r.rates)));
  const digests = runs.map((r) => r.digest.digest('hex').slice(0, 16));
  process.stdout.write(
    `${label}: A median ${a}, B median ${b} events/s; median per-pass B/A ${(median(ratios.map((r) => r * 1000)) / 1000).toFixed(2)} (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}); digests A ${digests[0]}, B ${digests[1]}\n`,
  );
}

async function main(): Promise<void> {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) {
    process.stderr.write('usage: node dist/bench/rules-engine-interleaved.js <checkout A> <checkout B> (each built with npx tsc -p tsconfig.build.json)\n');
    process.exitCode = 2;
    return;
  }
  const builds = [load(a), load(b)];
  await variant(builds, 'same traffic', samePool);
  await variant(builds, 'changing counts', changingPool);
}

void main();
