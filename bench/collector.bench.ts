/**
 * Collector overhead and capacity (issue: native eBPF collector).
 *
 * The load is bench/gen/connect-loop.c: non-blocking connect()s to a closed loopback port,
 * five tracepoint events each, run inside a network namespace of the benchmark's own so the
 * collector (filtered to it) sees exactly the generated events. The generator is pinned to CPU 0
 * and this process (the consumer: drain thread + JavaScript) to CPU 1.
 *
 * 1. Overhead: the generator's rate untraced, under bpftrace counting the same tracepoints in
 *    kernel maps, and under the tcpwarden collector decoding every event in JavaScript.
 * 2. Capacity: events/s delivered and decoded, lost, consumer CPU; then two generators (one
 *    per CPU) where the consumer cannot keep up, checking delivered + lost == generated.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { Collector } from '../src/collector/collector';
import { preflight } from '../src/collector/preflight';
import { RecordDecoder } from '../src/collector/record-decoder';
import { buildGenerator } from '../test/support/generators';
import type { Benchmark, Figures } from './benchmark';
import { COLLECTOR_BENCH_NETNS_PREFIX } from './take-down';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
// Untraced, bpftrace and tcpwarden runs are interleaved this many times and the medians
// compared, so a burst of other work on the machine does not land on one side only.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS_PER_CONNECT = 5;
const TRACEPOINTS = ['tcp:tcp_send_reset', 'tcp:tcp_receive_reset', 'tcp:tcp_destroy_sock', 'sock:inet_sock_set_state', 'tcp:tcp_retransmit_skb', 'tcp:tcp_retransmit_synack'];

interface GenResult {
  connects: number;
  failures: number;
  seconds: number;
  rate: number;
}

function generate(ns: string, gen: string, cpu: number): Promise<GenResult> {
  const child = spawn('ip', ['netns', 'exec', ns, 'taskset', '-c', String(cpu), gen, String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  // 'close', not 'exit': only 'close' guarantees stdout was read to its end.
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`generator exited ${code}`));
      try {
        resolve(JSON.parse(out) as GenResult);
      } catch {
        reject(new Error(`generator printed no result: ${JSON.stringify(out.slice(0, 200))}`));
      }
    }),
  );
}

/** Namespaces left by earlier runs killed before their `finally` (by SIGKILL, say): their pid is gone. */
function removeStaleNamespaces(): void {
  const names = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]);
  for (const name of names) {
    const pid = name.startsWith(COLLECTOR_BENCH_NETNS_PREFIX) ? Number(name.slice(COLLECTOR_BENCH_NETNS_PREFIX.length)) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      spawnSync('ip', ['netns', 'del', name]);
    }
  }
}

interface BpftraceRun {
  gen: GenResult;
  /** Events bpftrace counted in its map: shows it was attached for the whole run. */
  counted: number;
}

async function underBpftrace(ns: string, gen: string): Promise<BpftraceRun | null> {
  if (spawnSync('sh', ['-c', 'command -v bpftrace']).status !== 0) return null;
  const probes = TRACEPOINTS.map((t) => `tracepoint:${t}`).join(',');
  const before = tracepointPrograms();
  const bt = spawn('taskset', ['-c', '1', 'bpftrace', '-e', `${probes} { @[probe] = count(); }`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  bt.stdout.on('data', (d: Buffer) => (said += d.toString()));
  bt.stderr.on('data', (d: Buffer) => (said += d.toString()));
  const exited = new Promise<void>((resolve) => bt.once('exit', () => resolve()));
  // bpftrace's "Attaching N probes..." may sit in its output buffer: wait for its programs to show
  // in the kernel instead, then a moment for the last attach.
  const attached = await waitFor(() => tracepointPrograms() >= before + TRACEPOINTS.length, 20000);
  if (!attached) {
    bt.kill('SIGKILL');
    throw new Error(`bpftrace did not attach within 20 s: ${said.trim().slice(0, 300)}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  const result = await generate(ns, gen, 0);
  bt.kill('SIGINT');
  // It prints its map on SIGINT; one still attaching may not have noticed the signal.
  const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  if (!done) {
    bt.kill('SIGKILL');
    await exited;
  }
  const counted = [...said.matchAll(/^@\[tracepoint:[^\]]+\]: (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { gen: result, counted };
}

/** Tracepoint programs loaded in the kernel now: bpftrace adds one per probe. */
function tracepointPrograms(): number {
  const out = spawnSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' }).stdout;
  return (JSON.parse(out || '[]') as Array<{ type: string }>).filter((p) => p.type === 'tracepoint').length;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (check()) return true;
  return false;
}

interface Traced {
  gens: GenResult[];
  delivered: number;
  decoded: number;
  lost: number;
  seen: number;
  cpuSeconds: number;
  wallSeconds: number;
}

async function underTcpwarden(ns: string, inode: number, gen: string, cpus: number[]): Promise<Traced> {
  const collector = new Collector({ netns: inode });
  const decoder = new RecordDecoder({ host: 'bench', resetReasons: {} });
  let decoded = 0;
  // Decode every record into normalized events, as the engine would receive them.
  collector.on('records', (batch) => (decoded += decoder.decode(batch).length));
  collector.start();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const gens = await Promise.all(cpus.map((c) => generate(ns, gen, c)));
  const stats = await collector.stop();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { gens, delivered: stats.delivered, decoded, lost: stats.lost, seen: stats.seen, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const benchmark: Benchmark = {
  name: 'collector',
  description: 'eBPF collector overhead against bpftrace, and capacity with one and two generators',
  async run(log) {
    const gen = buildGenerator('connect-loop');
    // bpftrace attaches classic tracepoints too: mount tracefs first where it is missing, as the
    // collector itself would, so both sides see the same machine.
    preflight();
    removeStaleNamespaces();
    const ns = `${COLLECTOR_BENCH_NETNS_PREFIX}${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      const inode = statSync(`/run/netns/${ns}`).ino;
      execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

      const rates: Record<'untraced' | 'bpftrace' | 'tcpwarden', number[]> = { untraced: [], bpftrace: [], tcpwarden: [] };
      const counted: number[] = [];
      let one: Traced | undefined;
      for (let round = 1; round <= ROUNDS; round++) {
        log(`round ${round}/${ROUNDS}: generator alone, under bpftrace, under tcpwarden (${SECONDS} s each, CPU 0) ...`);
        rates.untraced.push((await generate(ns, gen, 0)).rate);
        const bt = await underBpftrace(ns, gen);
        if (bt) {
          rates.bpftrace.push(bt.gen.rate);
          counted.push(bt.counted / (bt.gen.connects * EVENTS_PER_CONNECT));
        }
        const traced = await underTcpwarden(ns, inode, gen, [0]);
        rates.tcpwarden.push(traced.gens[0].rate);
        if (!one || traced.gens[0].rate > one.gens[0].rate) one = traced;
      }
      one = one!;
      const untraced = { rate: median(rates.untraced) };
      const bpftrace = rates.bpftrace.length > 0 ? { rate: median(rates.bpftrace) } : null;
      const tcpwardenRate = median(rates.tcpwarden);
      log('two generators (CPU 0 and 1) under the tcpwarden collector ...');
      const two = await underTcpwarden(ns, inode, gen, [0, 1]);

      const generatedOne = one.gens[0].connects * EVENTS_PER_CONNECT;
      const generatedTwo = two.gens.reduce((n, g) => n + g.connects, 0) * EVENTS_PER_CONNECT;
      const figures: Figures = {
        command: 'sudo npm run bench -- collector',
        seconds_per_run: SECONDS,
        untraced_connects_per_s: untraced.rate,
        bpftrace_connects_per_s: bpftrace?.rate ?? null,
        bpftrace_share_of_untraced: bpftrace ? round(bpftrace.rate / untraced.rate) : null,
        bpftrace_counted_share_of_generated_min: counted.length > 0 ? round(Math.min(...counted)) : null,
        rounds: ROUNDS,
        tcpwarden_connects_per_s: tcpwardenRate,
        tcpwarden_share_of_untraced: round(tcpwardenRate / untraced.rate),
        tcpwarden_share_vs_bpftrace_share: bpftrace ? round(tcpwardenRate / bpftrace.rate) : null,
        one_gen_events_generated: generatedOne,
        one_gen_events_delivered: one.delivered,
        one_gen_normalized_events_with_derived: one.decoded,
        one_gen_events_lost: one.lost,
        one_gen_delivered_per_s: Math.round(one.delivered / one.wallSeconds),
        one_gen_consumer_cpu_cores: round(one.cpuSeconds / one.wallSeconds, 2),
        two_gen_events_generated: generatedTwo,
        two_gen_events_delivered: two.delivered,
        two_gen_events_lost: two.lost,
        two_gen_delivered_per_s: Math.round(two.delivered / two.wallSeconds),
        two_gen_consumer_cpu_cores: round(two.cpuSeconds / two.wallSeconds, 2),
        two_gen_delivered_plus_lost_equals_generated: two.delivered + two.lost === generatedTwo,
        one_gen_delivered_plus_lost_equals_generated: one.delivered + one.lost === generatedOne,
      };
      return figures;
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  },
};
