/**
 * The rules engine in process: decoded events -> windows -> rules -> alerts, with the default
 * rules plus 20 extra ones, judged on a tick every 250 ms of event time as a live run judges
 * (the judgement and the look into the open slice are in the figure), beside the same rules'
 * conditions evaluated by json-rules-engine once per event (the design this engine avoids), as a
 * ratio from the same run; and the memory taken by 1,000,000 distinct sources in one window.
 * The engine runs twice: on the same traffic replayed every pass, and on counts that change every
 * pass (a different 0-20% of each peer's events left out), as live traffic never repeats exactly.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Engine as JsonRulesEngine } from 'json-rules-engine';
import { DEFAULT_LATENESS_MS, DEFAULT_TICK_MS } from '../src/detector/detector';
import { Engine } from '../src/engine/engine';
import type { EventKind, TcpEvent } from '../src/interfaces/tcp-event';
import { cidrOperators } from '../src/rules/cidr-operators';
import type { CompiledRule } from '../src/rules/compiled-rule';
import { allRules, T0 } from './bench-rules';
import type { Benchmark } from './benchmark';

// 10,000 events per second of event time: every group is judged at every slice boundary, and a
// tick comes after 2,500 events. A live run at 1,000,000 events/s ticks after 250,000, so the
// judgement and the look weigh far more per event here than they would there.
const POOL = 200_000;
const PASSES = 10;
const POOL_SPAN_MS = 20_000;
const PEERS = 1_000;

/** A mix of kinds over 1,000 peers and 50 listeners, evenly spread over POOL_SPAN_MS. */
export function eventPool(): TcpEvent[] {
  const kinds: EventKind[] = ['retransmit', 'retransmit', 'rst_sent', 'rst_received', 'synack_retransmit', 'connect_refused', 'state_change', 'destroy'];
  const peers = Array.from({ length: PEERS }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
  const pool: TcpEvent[] = [];
  for (let i = 0; i < POOL; i++) {
    const kind = kinds[i % kinds.length];
    pool.push({
      kind,
      ts: T0 + (i * POOL_SPAN_MS) / POOL,
      family: 4,
      laddr: '10.0.0.1',
      lport: 8000 + (i % 50),
      raddr: peers[(i * 7919) % PEERS],
      rport: 30000 + (i % 20000),
      state: kind === 'retransmit' ? 'ESTABLISHED' : undefined,
      reason: kind === 'rst_sent' ? 'tcp_abort_on_close' : undefined,
      direction: kind === 'connect_refused' ? 'inbound' : undefined,
      netns: 4026531840,
      host: 'bench',
    });
  }
  return pool;
}

/** Every event, every pass: the same traffic replayed. */
export function samePool(pool: TcpEvent[]): TcpEvent[] {
  return pool;
}

/** A 32-bit mix of two integers (a deterministic draw: both builds compared see the same passes). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * The pool with a different 0-20% of each peer's events left out in each pass: the windows'
 * counts and distinct counts change from pass to pass, so remembered verdicts do not answer them.
 */
export function changingPool(pool: TcpEvent[], pass: number): TcpEvent[] {
  return pool.filter((_e, i) => {
    const peer = (i * 7919) % PEERS;
    const dropPercent = mix(peer, pass) % 21;
    return mix(i, pass + 1_000) % 100 >= dropPercent;
  });
}

/**
 * The events of each tick, in order: a live run judges every `DEFAULT_TICK_MS` of wall clock, and
 * between two ticks the collector hands over what came in meanwhile (made outside the timed part).
 */
export function tickBatches(pool: TcpEvent[]): TcpEvent[][] {
  const batches: TcpEvent[][] = [];
  let start = 0;
  for (let i = 1; i <= pool.length; i++) {
    if (i === pool.length || Math.floor(pool[i].ts / DEFAULT_TICK_MS) !== Math.floor(pool[start].ts / DEFAULT_TICK_MS)) {
      batches.push(pool.slice(start, i));
      start = i;
    }
  }
  return batches;
}

/**
 * One pass over the pool as `tcpwarden run` takes it: each tick's events pushed, then the tick
 * (Detector.tick): the slice boundaries up to `lateness` before the tick judged, and the open
 * slice looked into up to the tick. The tick's instant is the end of its events' 250 ms.
 */
export async function livePass(engine: Engine, batches: TcpEvent[][], digest?: ReturnType<typeof createHash>): Promise<number> {
  let alerts = 0;
  for (const batch of batches) {
    engine.push(batch);
    const tick = (Math.floor(batch[0].ts / DEFAULT_TICK_MS) + 1) * DEFAULT_TICK_MS;
    const out = await engine.advance(tick - DEFAULT_LATENESS_MS, tick);
    alerts += out.length;
    for (const a of out) digest?.update(`${a.id} ${a.window.end} ${a.aggregates.count}\n`);
  }
  return alerts;
}

interface Throughput {
  eventsPerSecond: number;
  perCpuSecond: number;
  overall: number;
  passRates: number[];
  alerts: number;
  /** Of every alert's id, window end and count, in order: two builds alert alike when these match. */
  alertsDigest: string;
  evaluations: number;
}

async function throughput(rules: CompiledRule[], log: (line: string) => void, label: string, passPool: (pool: TcpEvent[], pass: number) => TcpEvent[]): Promise<Throughput> {
  const pool = eventPool();
  // Each pass's ticks, made outside the timed part; they share the pool's events, moved on in time below.
  const passes = Array.from({ length: PASSES }, (_, pass) => tickBatches(passPool(pool, pass)));
  // One untimed pass through a throwaway engine, so the figure is the steady state, not the JIT warming up.
  await livePass(new Engine(rules), tickBatches(pool));
  const engine = new Engine(rules);
  const digest = createHash('sha256');
  let alerts = 0;
  let events = 0;
  const passRates: number[] = [];
  const cpuRates: number[] = [];
  let elapsed = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    // Move the pool forward in event time (outside the timed part).
    if (pass > 0) for (const e of pool) e.ts += POOL_SPAN_MS;
    const n = passes[pass].reduce((sum, b) => sum + b.length, 0);
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    alerts += await livePass(engine, passes[pass], digest);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    elapsed += seconds;
    events += n;
    passRates.push(Math.round(n / seconds));
    cpuRates.push(Math.round(n / ((cpu.user + cpu.system) / 1e6)));
  }
  // The end of the run (a replay's flush, untimed: a live run never flushes) resolves what still fires.
  const flushed = await engine.flush();
  alerts += flushed.length;
  for (const a of flushed) digest.update(`${a.id} ${a.window.end} ${a.aggregates.count}\n`);
  const evaluations = engine.stats().reduce((n, s) => n + s.evaluations, 0);
  const eventsPerSecond = median(passRates);
  // With the first passes, which still ask json-rules-engine for verdicts the memo learns, and warm the JIT.
  const overall = Math.round(events / elapsed);
  // The machine is shared: CPU time (this process's threads, the garbage collector's included) is
  // what the engine costs, where the wall clock also counts the time other work held the cores.
  const perCpuSecond = median(cpuRates);
  const alertsDigest = digest.digest('hex').slice(0, 16);
  log(`engine, ${label}: ${PASSES} passes of ${passes[0].length} ticks, events/s per pass: ${passRates.join(' ')}; ${evaluations} json-rules-engine runs, ${alerts} alerts (digest ${alertsDigest})`);
  return { eventsPerSecond, perCpuSecond, overall, passRates, alerts, alertsDigest, evaluations };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** The naive design: every event through json-rules-engine with every rule's match conditions. */
async function perEventJsonRulesEngine(rules: CompiledRule[], log: (line: string) => void): Promise<number> {
  const engine = new JsonRulesEngine([], { allowUndefinedFacts: true });
  for (const op of cidrOperators()) engine.addOperator(op);
  rules.forEach((r) => engine.addRule({ name: r.id, conditions: r.matchConditions, event: { type: r.id } }));
  const pool = eventPool().slice(0, 20_000);
  const started = process.hrtime.bigint();
  for (const e of pool) await engine.run({ ...e });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  log(`json-rules-engine per event: ${pool.length} events in ${elapsed.toFixed(2)} s`);
  return Math.round(pool.length / elapsed);
}

/** Memory is measured in a fresh process, so the throughput runs before it do not blur the figure. */
function distinctSources(log: (line: string) => void, nodeFlags: string[] = []): Promise<{ rssMb: number; peakRssMb: number; heapMb: number; evicted: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'distinct-sources-child.js'), [], { execArgv: ['--expose-gc', ...nodeFlags] });
    child.once('message', (figures: { rssMb: number; peakRssMb: number; heapMb: number; evicted: number; baselineRssMb: number }) => {
      log(`1,000,000 distinct sources${nodeFlags.length > 0 ? ` (node ${nodeFlags.join(' ')})` : ''}: RSS ${figures.baselineRssMb} -> ${figures.rssMb} MB after a full GC (fresh process; peak ${figures.peakRssMb} MB), ${figures.evicted} groups evicted`);
      resolve(figures);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`memory child exited with ${code}`))));
  });
}

export const benchmark: Benchmark = {
  name: 'rules-engine',
  description: 'events -> windows -> rules -> alerts with the default rules + 20 extra, ticked every 250 ms of event time as live, vs json-rules-engine per event; RSS with 1M distinct sources',
  async run(log) {
    const load = loadavg()[0];
    const rules = await allRules();
    log(`${rules.length} rules`);
    const engine = await throughput(rules, log, 'same traffic every pass', samePool);
    const changing = await throughput(rules, log, 'counts changing every pass', changingPool);
    const naive = await perEventJsonRulesEngine(rules, log);
    const memory = await distinctSources(log);
    // The peak is the collector's slack, not what the engine holds: with the old generation capped
    // (as a deployment under a memory limit would cap it), the same flood peaks far lower.
    const capped = await distinctSources(log, ['--max-old-space-size=128']);
    return {
      // The machine is shared: the 1-minute load average says how much the figures may be depressed.
      'load average (1 min) at start': Number(load.toFixed(2)),
      rules: rules.length,
      'engine events/s (median of the passes)': engine.eventsPerSecond,
      'engine events/s, slowest and fastest pass': `${Math.min(...engine.passRates)} / ${Math.max(...engine.passRates)}`,
      'engine events/s, all passes together': engine.overall,
      'engine events per CPU second (median of the passes)': engine.perCpuSecond,
      'engine json-rules-engine runs': engine.evaluations,
      'engine alerts': engine.alerts,
      'engine alerts digest': engine.alertsDigest,
      'changing counts: engine events/s (median of the passes)': changing.eventsPerSecond,
      'changing counts: slowest and fastest pass': `${Math.min(...changing.passRates)} / ${Math.max(...changing.passRates)}`,
      'changing counts: all passes together': changing.overall,
      'changing counts: events per CPU second (median of the passes)': changing.perCpuSecond,
      'changing counts: json-rules-engine runs': changing.evaluations,
      'changing counts: alerts': changing.alerts,
      'changing counts: alerts digest': changing.alertsDigest,
      'json-rules-engine per event, events/s': naive,
      'ratio engine / per-event': Number((engine.eventsPerSecond / naive).toFixed(1)),
      'RSS MB, 1M distinct sources in one window': memory.rssMb,
      'peak RSS MB during the 1M sources': memory.peakRssMb,
      'peak RSS MB, 1M sources, --max-old-space-size=128': capped.peakRssMb,
      'heap MB, 1M distinct sources in one window': memory.heapMb,
      'groups evicted (1M sources)': memory.evicted,
    };
  },
};
