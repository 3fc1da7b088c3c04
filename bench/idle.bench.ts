/**
 * What `tcpwarden run` costs a machine with nothing to detect: the shipped rules in one process,
 * attached to every namespace of an idle host. Its CPU (all threads) and how often its threads
 * wake, beside a Node process that does nothing but keep a 1 s timer (the floor of any Node
 * program) measured over the same seconds. A detector runs on every server, almost always idle:
 * what it costs then is paid everywhere, all the time.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Benchmark, Figures } from './benchmark';
import { startDetector, stopAll } from './detector-process';
import { processCpuSeconds } from './flood/proc-cpu';

/** After the start: V8's memory reducer runs a few full collections in the first seconds. */
const WARM_MS = Number(process.env.BENCH_IDLE_WARM_SECONDS ?? 30) * 1000;
const MEASURE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 30) * 1000;

interface Snapshot {
  at: number;
  cpu: number;
  /** Voluntary context switches (sleeps) per thread name: the main thread is `main`. */
  wakeups: Map<string, number>;
}

function snapshot(pid: number): Snapshot {
  const { user, system } = processCpuSeconds(pid);
  const wakeups = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const switches = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
      wakeups.set(name, (wakeups.get(name) ?? 0) + switches);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return { at: Date.now(), cpu: user + system, wakeups };
}

function perSecond(a: Snapshot, b: Snapshot, name: string): number {
  return Math.round(((b.wakeups.get(name) ?? 0) - (a.wakeups.get(name) ?? 0)) / ((b.at - a.at) / 1000));
}

function cores(a: Snapshot, b: Snapshot): number {
  return Number(((b.cpu - a.cpu) / ((b.at - a.at) / 1000)).toFixed(4));
}

export const benchmark: Benchmark = {
  name: 'idle',
  description: `an idle \`tcpwarden run\` (shipped rules, one process): its CPU and wakeups over ${MEASURE_MS / 1000} s, beside a Node process that only keeps a timer`,
  async run(log) {
    const detector = startDetector([]);
    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await detector.running;
      log(`running; ${WARM_MS / 1000} s to settle, then ${MEASURE_MS / 1000} s measured`);
      await new Promise((r) => setTimeout(r, WARM_MS));
      const load = loadavg()[0].toFixed(2);
      const d0 = snapshot(detector.child.pid!);
      const b0 = snapshot(bare.pid!);
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      const d1 = snapshot(detector.child.pid!);
      const b1 = snapshot(bare.pid!);
      const others = [...d1.wakeups.keys()].filter((n) => n !== 'main' && n !== 'tcpwarden-drain');
      const figures: Figures = {
        command: 'sudo npm run bench -- idle',
        'load average at start': load,
        'detector: cores': cores(d0, d1),
        'bare node: cores': cores(b0, b1),
        'detector / bare node': Number((cores(d0, d1) / Math.max(cores(b0, b1), 1e-4)).toFixed(1)),
        'detector: main thread wakeups/s': perSecond(d0, d1, 'main'),
        'detector: drain thread wakeups/s': perSecond(d0, d1, 'tcpwarden-drain'),
        'detector: other threads wakeups/s': others.reduce((sum, n) => sum + perSecond(d0, d1, n), 0),
        'bare node: wakeups/s, all threads': [...b1.wakeups.keys()].reduce((sum, n) => sum + perSecond(b0, b1, n), 0),
      };
      return figures;
    } finally {
      bare.kill('SIGKILL');
      await stopAll([detector.child]);
    }
  },
};
