/**
 * Two builds' engines in one process, pass by pass: each pass of the rules-engine benchmark's
 * traffic (both variants, 20 passes) runs through build A's engine and build B's, the order
 * flipped every pass, so other work on a shared machine lands on both alike; separate runs of the
 * benchmark differ by up to half from one run to the next. Prints per variant each build's median
 * pass (events/s), the median of the per-pass ratios B/A, and both builds' alert digests.
 *
 * The build loaded second ran up to a fifth faster on counts changing every pass, even against a
 * copy of itself (2026-12-06: B/A 1.12-1.21 for two copies of one build). So the comparison runs
 * twice, in two processes, each build loaded second once, and the ratio is the median of both
 * processes' per-pass ratios.
 *
 *   node dist/bench/rules-engine-interleaved.js <checkout A> <checkout B>   (each built with tsc)
 */
import { execFileSync } from 'node:child_process';
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

/** One variant's figures from one process: per pass, each build's events/s, in the order loaded. */
interface VariantRun {
  label: string;
  rates: [number[], number[]];
  digests: [string, string];
}

async function variant(builds: Build[], label: string, passPool: (pool: TcpEvent[], pass: number) => TcpEvent[]): Promise<VariantRun> {
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
  return { label, rates: [runs[0].rates, runs[1].rates], digests: [runs[0].digest.digest('hex').slice(0, 16), runs[1].digest.digest('hex').slice(0, 16)] };
}

/** The bench's median rounds to integers: ratios go through it in thousandths. */
const medianRatio = (ratios: number[]): string => (median(ratios.map((r) => r * 1000)) / 1000).toFixed(2);

/** Both processes' figures for one variant: `ab` loaded A first, `ba` loaded B first. */
function report(ab: VariantRun, ba: VariantRun): void {
  const aRates = [...ab.rates[0], ...ba.rates[1]];
  const bRates = [...ab.rates[1], ...ba.rates[0]];
  const abRatios = ab.rates[1].map((r, i) => r / ab.rates[0][i]);
  const baRatios = ba.rates[0].map((r, i) => r / ba.rates[1][i]);
  const ratios = [...abRatios, ...baRatios];
  process.stdout.write(
    `${ab.label}: A median ${Math.round(median(aRates))}, B median ${Math.round(median(bRates))} events/s; ` +
      `median per-pass B/A ${medianRatio(ratios)} (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}; ` +
      `${medianRatio(abRatios)} with B loaded second, ${medianRatio(baRatios)} with A loaded second); ` +
      `digests A ${ab.digests[0]} ${ba.digests[1]}, B ${ab.digests[1]} ${ba.digests[0]}\n`,
  );
}

async function main(): Promise<void> {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) {
    process.stderr.write('usage: node dist/bench/rules-engine-interleaved.js <checkout A> <checkout B> (each built with npx tsc -p tsconfig.build.json)\n');
    process.exitCode = 2;
    return;
  }
  if (process.argv[4] === 'one-process') {
    const builds = [load(a), load(b)];
    const runs = [await variant(builds, 'same traffic', samePool), await variant(builds, 'changing counts', changingPool)];
    process.stdout.write(JSON.stringify(runs));
    return;
  }
  const inProcess = (first: string, second: string): VariantRun[] =>
    JSON.parse(execFileSync(process.execPath, [__filename, first, second, 'one-process'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as VariantRun[];
  const ab = inProcess(a, b);
  const ba = inProcess(b, a);
  for (let v = 0; v < ab.length; v++) report(ab[v], ba[v]);
}

void main();
