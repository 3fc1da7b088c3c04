/**
 * Line-rate floods: what a spoofed SYN flood at the generator's top rate costs with tcpwarden
 * watching, and what tcpwarden makes of it, for three targets (bench/flood/flood-targets.ts):
 * a closed port, a listener answering with SYN cookies, a listener with a small backlog and
 * cookies off.
 *
 * Each round runs, per target, the flood with no detector (the reference) and then with
 * `tcpwarden run` in one process and split into `--role collector` + `--role engine` through a
 * redis-server; rounds interleave so other work on the machine does not land on one side only,
 * and the figures are medians over rounds. Figures: packets sent per second (in all, per source),
 * the detector's CPU (its processes' threads, redis-server, its BPF programs in the kernel with
 * kernel.bpf_stats_enabled=1 for the flood alone), a benign client's connections/s against the reference's,
 * the first alert's time from the flood's start to the webhook, and the flood count tcpwarden's
 * alert reports against the packets sent.
 *
 * BENCH_FLOOD_CONFIG='{"NAME": {config keys}, ...}' runs the detector once per named variant with
 * those keys merged over the bench's config (e.g. a collector switch), interleaved in each round.
 * BENCH_FLOOD_SECONDS (3), BENCH_ROUNDS (2), BENCH_FLOOD_SOURCES (1024), BENCH_FLOOD_TARGETS and
 * BENCH_FLOOD_PATHS (memory,redis) narrow or widen the run. BENCH_DETECTOR_NODE_ARGS (space-separated)
 * are passed to the detectors' node, e.g. '--cpu-prof --cpu-prof-interval=20000 --cpu-prof-dir=/tmp/prof'
 * for a profile of each detector process, written when it stops. Keep the interval long: at the
 * default 1 ms the profiler's SIGPROF interrupted the BPF verifier until the load gave up (EAGAIN).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from '../src/collector/preflight';
import { routeSpoofedPrefix } from '../test/support/attack-setup';
import { buildGenerator } from '../test/support/generators';
import { createNetnsPair } from '../test/support/netns';
import { startWebhookReceiver } from '../test/support/webhook-receiver';
import type { Benchmark, Figures } from './benchmark';
import { floodFigures } from './flood/flood-figures';
import { floodRun, type DetectorPath, type FloodRun, type FloodSetup, type Variant } from './flood/flood-run';
import { BENIGN_PORT, countRule, prepareTarget, TARGETS } from './flood/flood-targets';
import { startListener } from './flood/listener';

const SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SOURCES = Number(process.env.BENCH_FLOOD_SOURCES ?? 1024);
const PATHS = (process.env.BENCH_FLOOD_PATHS ?? 'memory,redis').split(',') as DetectorPath[];
const ONLY_TARGETS = process.env.BENCH_FLOOD_TARGETS?.split(',');
const DETECTOR_NODE_ARGS = (process.env.BENCH_DETECTOR_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');

function variants(): Variant[] {
  const raw = process.env.BENCH_FLOOD_CONFIG;
  if (!raw) return [{ name: '', config: {} }];
  const parsed = JSON.parse(raw) as Record<string, Record<string, unknown>>;
  return Object.entries(parsed).map(([name, config]) => ({ name, config }));
}

export const benchmark: Benchmark = {
  name: 'flood',
  description: `spoofed SYN floods at the generator's top rate (${SECONDS} s, ${SOURCES} sources) on a closed port, a SYN-cookie listener and a small backlog: tcpwarden's CPU, the victim's capacity, time to detect and counts, beside a run without it (${ROUNDS} rounds)`,
  async run(log) {
    preflight();
    const dir = mkdtempSync(join(tmpdir(), 'tw-flood-'));
    const pair = createNetnsPair();
    const receiver = await startWebhookReceiver();
    const undo: Array<() => void> = [];
    try {
      // The benign client makes thousands of short connections a second: reuse TIME_WAIT ports.
      pair.exec(pair.client, 'sysctl', ['-q', '-w', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65535']);
      const acceptLoop = buildGenerator('accept-loop');
      const benign = await startListener(pair, pair.server, acceptLoop, BENIGN_PORT, 4096);
      undo.push(() => benign.kill('SIGKILL'));
      const setup: FloodSetup = {
        pair,
        receiver,
        dir,
        rulesFile: join(dir, 'flood-count.yaml'),
        synFlood: buildGenerator('syn-flood'),
        handshakeLoop: buildGenerator('handshake-loop'),
        firstSource: routeSpoofedPrefix(pair),
        sources: SOURCES,
        seconds: SECONDS,
        detectorNodeArgs: DETECTOR_NODE_ARGS,
      };
      const kinds = variants();
      const figures: Figures = {
        command: 'sudo npm run bench -- flood',
        'load average at start': loadavg()[0].toFixed(2),
        setting: `${SECONDS} s floods from ${SOURCES} spoofed sources, generator on CPU 0, benign client on CPU 1, ${ROUNDS} rounds, medians`,
      };
      for (const target of TARGETS.filter((t) => !ONLY_TARGETS || ONLY_TARGETS.includes(t.name))) {
        writeFileSync(setup.rulesFile, countRule(target, SECONDS));
        const unprepare = await prepareTarget(pair, target, acceptLoop);
        const runs = new Map<string, FloodRun[]>();
        const add = (key: string, r: FloodRun) => runs.set(key, [...(runs.get(key) ?? []), r]);
        try {
          for (let round = 1; round <= ROUNDS; round++) {
            log(`${target.name}, round ${round}: reference ...`);
            add('reference', await floodRun(setup, target, 'reference', { name: '', config: {} }));
            for (const variant of kinds) {
              for (const path of PATHS) {
                const key = variant.name ? `${path} [${variant.name}]` : path;
                log(`${target.name}, round ${round}: ${key} ...`);
                const r = await floodRun(setup, target, path, variant);
                const d = r.detector;
                log(`  sent ${r.sent} (${d?.sentInAll} in both phases), benign ${r.benignRate}/s (${r.benignBracket?.before}/s before, ${r.benignBracket?.after}/s after), counted ${d?.counted}, detected in ${d?.detectMs} ms, other alerts: ${d?.otherRules.join(' ') || 'none'}`);
                add(key, r);
              }
            }
          }
        } finally {
          unprepare();
        }
        Object.assign(figures, floodFigures(target.name, runs));
      }
      return figures;
    } finally {
      for (const u of undo.reverse()) u();
      await receiver.stop();
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
