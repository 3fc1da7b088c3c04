/**
 * What `tcpwarden run` costs a busy server with nothing to detect: a benign client completing
 * short connections to a real listener in the bench's own namespaces, as fast as it can, with no
 * detector, with the shipped rules (the tracepoints their kinds come from attached), and with the
 * shipped rules plus one rule whose match leaves the kind open (every tracepoint attached, as
 * before the tracepoints followed the rules). Phases interleave round by round; the figures are
 * medians. Per phase: the client's connects/s, the detector's threads, and its BPF programs' run
 * time (kernel.bpf_stats_enabled=1 in the detector's phases, which costs every run two clock
 * reads: both detector phases pay it).
 *
 * BENCH_BUSY_SECONDS (10) per phase, BENCH_ROUNDS (3).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from '../src/collector/preflight';
import { packageRoot } from '../src/package-root';
import { buildGenerator } from '../test/support/generators';
import { createNetnsPair, type NetnsPair } from '../test/support/netns';
import type { Benchmark, Figures } from './benchmark';
import { startDetector, stopAll } from './detector-process';
import { bpfProgramRuns, bpfRunsBetween, enableBpfStats } from './flood/bpf-run-time';
import { startListener } from './flood/listener';
import { processCpuSeconds } from './flood/proc-cpu';

const SECONDS = Number(process.env.BENCH_BUSY_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PORT = 8080;

/** A rule that never fires and whose match does not name a kind: it needs every tracepoint. */
const EVERY_KIND_RULE = `rules:
  - id: bench-every-kind
    name: any event on port 1
    severity: info
    match: { all: [ { fact: lport, operator: equal, value: 1 } ] }
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1000000000 } ] }
    summary: "{{count}}"
`;

type Phase = 'none' | 'shipped' | 'every';

interface PhaseRun {
  connects: number;
  threadCores: number;
  bpfCores: number;
  bpfRunsPerConnect: number;
}

function handshakes(pair: NetnsPair, client: string): Promise<number> {
  const child = pair.spawn(pair.client, 'taskset', ['-c', '1', client, String(SECONDS), pair.server.v4, String(PORT)]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.resume();
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve((JSON.parse(out) as { rate: number }).rate) : reject(new Error(`handshake-loop exited ${code}`)))),
  );
}

async function phase(pair: NetnsPair, client: string, config: string | null, dir: string): Promise<PhaseRun> {
  if (!config) return { connects: await handshakes(pair, client), threadCores: 0, bpfCores: 0, bpfRunsPerConnect: 0 };
  const detector = startDetector(['--config', config, '--state-dir', dir]);
  try {
    await detector.running;
    // The start's own work (rule compilation, BPF load) is over before the measurement begins.
    await new Promise((r) => setTimeout(r, 1000));
    const pid = detector.child.pid!;
    const restore = enableBpfStats();
    try {
      const cpu = () => {
        const c = processCpuSeconds(pid);
        return c.user + c.system;
      };
      const [bpf0, cpu0, at0] = [bpfProgramRuns(pid), cpu(), Date.now()];
      const connects = await handshakes(pair, client);
      const seconds = (Date.now() - at0) / 1000;
      const bpf = bpfRunsBetween(bpf0, bpfProgramRuns(pid));
      return { connects, threadCores: (cpu() - cpu0) / seconds, bpfCores: bpf.runTimeNs / 1e9 / seconds, bpfRunsPerConnect: bpf.runCount / (connects * seconds) };
    } finally {
      restore();
    }
  } finally {
    await stopAll([detector.child]);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const benchmark: Benchmark = {
  name: 'busy-server',
  description: `a benign client's short connections to a real listener (${SECONDS} s phases, ${ROUNDS} rounds): connects/s, tcpwarden's threads and BPF run time with the shipped rules, beside every tracepoint attached and no detector`,
  async run(log) {
    preflight();
    const dir = mkdtempSync(join(tmpdir(), 'tw-busy-'));
    const pair = createNetnsPair();
    try {
      // Thousands of short connections a second: reuse TIME_WAIT ports.
      pair.exec(pair.client, 'sysctl', ['-q', '-w', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65535']);
      const listener = await startListener(pair, pair.server, buildGenerator('accept-loop'), PORT, 4096);
      try {
        const client = buildGenerator('handshake-loop');
        const everyKind = join(dir, 'every-kind.yaml');
        writeFileSync(everyKind, EVERY_KIND_RULE);
        const configs: Record<Phase, string | null> = { none: null, shipped: join(dir, 'shipped.yaml'), every: join(dir, 'every.yaml') };
        const shipped = join(packageRoot(), 'rules');
        // The victim's namespace only, as on a server that watches its own; YAML is a superset of JSON.
        writeFileSync(configs.shipped!, JSON.stringify({ rules: [shipped], collector: { netns: pair.server.inode } }));
        writeFileSync(configs.every!, JSON.stringify({ rules: [shipped, everyKind], collector: { netns: pair.server.inode } }));
        const load = loadavg()[0].toFixed(2);
        const runs: Record<Phase, PhaseRun[]> = { none: [], shipped: [], every: [] };
        for (let round = 1; round <= ROUNDS; round++) {
          for (const p of ['none', 'shipped', 'every'] as const) {
            const r = await phase(pair, client, configs[p], dir);
            log(`round ${round}, ${p}: ${r.connects} connects/s, threads ${r.threadCores.toFixed(3)} cores, BPF ${r.bpfCores.toFixed(4)} cores (${r.bpfRunsPerConnect.toFixed(1)} runs per connect)`);
            runs[p].push(r);
          }
        }
        const m = (p: Phase, f: (r: PhaseRun) => number) => median(runs[p].map(f));
        const figures: Figures = {
          command: 'sudo npm run bench -- busy-server',
          'load average at start': load,
          'no detector: connects/s': Math.round(m('none', (r) => r.connects)),
        };
        for (const p of ['shipped', 'every'] as const) {
          const name = p === 'shipped' ? 'shipped rules' : 'every tracepoint';
          Object.assign(figures, {
            [`${name}: connects/s`]: Math.round(m(p, (r) => r.connects)),
            [`${name}: connects/s against no detector`]: Number((m(p, (r) => r.connects) / m('none', (r) => r.connects)).toFixed(3)),
            [`${name}: cores, tcpwarden threads`]: Number(m(p, (r) => r.threadCores).toFixed(3)),
            [`${name}: cores, BPF programs`]: Number(m(p, (r) => r.bpfCores).toFixed(4)),
            [`${name}: BPF runs per connect`]: Number(m(p, (r) => r.bpfRunsPerConnect).toFixed(1)),
          });
        }
        figures['BPF cores, shipped rules / every tracepoint'] = Number((m('shipped', (r) => r.bpfCores) / m('every', (r) => r.bpfCores)).toFixed(4));
        return figures;
      } finally {
        listener.kill('SIGKILL');
      }
    } finally {
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
