/**
 * How far `distinct.raddr` is off under a spoofed flood, as the engine sees it with in-kernel
 * aggregation on: one aggregate (an event with `value`, the way the collector hands over a key's
 * packets of one 100 ms slice) per source address and slice, from N addresses of a private /16
 * counted up from a first address, as bench/gen/syn-flood.c sends them, spread over a 10 s window.
 * Aggregation keeps raddr in its key, so the distinct count is the engine's own: exact up to
 * engine.distinctExactLimit (256) values per slice, a HyperLogLog past it. For each N, several
 * first addresses (trials); figures: the mean and the largest relative error of the count a rule
 * judged at the window's end reports, over the trials.
 */
import { Engine } from '../src/engine/engine';
import type { TcpEvent } from '../src/interfaces/tcp-event';
import { loadRuleTexts } from '../src/rules/loader';
import type { Benchmark } from './benchmark';
import { T0 } from './bench-rules';

const SIZES = [100, 256, 1_000, 5_000, 20_000, 65_000];
const TRIALS = Number(process.env.BENCH_DISTINCT_TRIALS ?? 32);
const SLICES = 100; // 100 ms slices of the 10 s window
const MARKER_PORT = 9;

/** Judged once the marker (a second local port) arrives at the window's end: distinct.raddr is then the whole flood's. */
const RULE = `rules:
  - id: distinct-sources
    name: distinct sources of the flood
    severity: info
    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }
    group_by: [netns]
    window: 10s
    when: { all: [ { fact: distinct.lport, operator: greaterThanInclusive, value: 2 }, { fact: distinct.raddr, operator: greaterThanInclusive, value: 1 } ] }
    summary: "{{distinct.raddr}} sources"
`;

const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function aggregate(ts: number, raddr: string, lport: number, value: number): TcpEvent {
  return { kind: 'connect_refused', direction: 'inbound', ts, family: 4, laddr: '10.0.0.1', lport, raddr, rport: 0, netns: 4026531840, host: 'bench', value };
}

/** The distinct.raddr a rule reports for a flood from `sources` addresses counted up from `first`. */
async function measured(first: number, sources: number): Promise<number> {
  const loaded = loadRuleTexts([{ file: 'distinct.yaml', text: RULE }]);
  if (!loaded.ok) throw new Error('distinct-error rule does not load');
  const engine = new Engine(loaded.rules);
  // Each source is in 3 of the 100 slices (the generator sends round-robin; at a few hundred
  // thousand SYNs/s every source is in every slice, which only repeats the same values).
  for (let slice = 0; slice < SLICES; slice++) {
    const batch: TcpEvent[] = [];
    for (let j = slice % 3; j < sources; j += 3) batch.push(aggregate(T0 + slice * 100 + 50, ip(first + j), 7, 40));
    if (batch.length > 0) engine.push(batch);
  }
  engine.push([aggregate(T0 + 9_990, '10.0.0.2', MARKER_PORT, 1)]);
  const alert = (await engine.flush()).find((a) => a.status === 'firing');
  if (!alert) throw new Error('distinct-error rule did not fire');
  // The marker's address is one of the distinct values.
  return alert.aggregates['distinct.raddr'] - 1;
}

export const benchmark: Benchmark = {
  name: 'distinct-error',
  description: `distinct.raddr under a spoofed flood seen as in-kernel aggregates: relative error for ${SIZES.join(', ')} sources, ${TRIALS} trials each`,
  async run(log) {
    const figures: Record<string, string> = {};
    for (const n of SIZES) {
      const errors: number[] = [];
      for (let t = 0; t < TRIALS; t++) {
        // 172.16-31.x.x, as the tests' spoofed prefixes, each trial from another first address.
        const first = ((172 << 24) >>> 0) + ((16 + (t % 16)) << 16) + 1 + 37 * t;
        errors.push((await measured(first, n)) / n - 1);
      }
      const abs = errors.map(Math.abs);
      const mean = abs.reduce((a, b) => a + b, 0) / abs.length;
      const rms = Math.sqrt(errors.reduce((a, b) => a + b * b, 0) / errors.length);
      const line = `mean |error| ${(mean * 100).toFixed(2)}%, RMS ${(rms * 100).toFixed(2)}%, largest ${(Math.max(...abs) * 100).toFixed(2)}%`;
      log(`${n} sources: ${line}`);
      figures[`${n} sources`] = line;
    }
    return figures;
  },
};
