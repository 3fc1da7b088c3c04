/**
 * One run of the flood benchmark: a spoofed SYN flood at the generator's top rate (pinned to CPU
 * 0), then the same flood with a benign client completing handshakes with a real listener of the
 * victim (pinned to CPU 1) beside it, with no detector (the reference), with `tcpwarden run` in one process,
 * or with `--role collector` + `--role engine` around a redis-server started for the run. A
 * detector's run is bracketed by the flood and the benign client with no detector, right before it
 * starts and right after it stops: the victim's capacity beside its own reference, seconds away.
 *
 * Measured: packets sent, the benign client's connections/s, the detector's CPU (all threads of
 * its processes, from /proc) and redis-server's, the run time of its BPF programs in the kernel,
 * the first alert's arrival at the webhook after the flood's start, and the count the bench rule
 * reports for the flood (flood-targets.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root';
import { freePort } from '../../test/support/free-port';
import type { NetnsPair } from '../../test/support/netns';
import { startRedis, type TestRedis } from '../../test/support/redis-server';
import type { ReceivedRequest, WebhookReceiver } from '../../test/support/webhook-receiver';
import { startDetector, stopAll } from '../detector-process';
import { bpfProgramRuns, bpfRunsBetween, enableBpfStats, type BpfProgramRun } from './bpf-run-time';
import { BENIGN_PORT, COUNT_RULE_ID, MARKER_PORT, type FloodTarget } from './flood-targets';
import { processCpuSeconds } from './proc-cpu';

export type DetectorPath = 'reference' | 'memory' | 'redis';

/** A configuration a detector runs with, merged over the bench's own (BENCH_FLOOD_CONFIG). */
export interface Variant {
  name: string;
  config: Record<string, unknown>;
}

export interface FloodSetup {
  pair: NetnsPair;
  receiver: WebhookReceiver;
  /** Working directory: config files, the rules file, the detectors' state. */
  dir: string;
  rulesFile: string;
  synFlood: string;
  handshakeLoop: string;
  /** The spoofed prefix's first address and how many sources count up from it. */
  firstSource: string;
  sources: number;
  seconds: number;
  /** Flags for the detectors' node (BENCH_DETECTOR_NODE_ARGS), e.g. to take profiles. */
  detectorNodeArgs: string[];
}

/** Phase 1 (the flood alone): sent, rate; phase 2 (the flood and the benign client): the rates. */
export interface FloodRun {
  sent: number;
  rate: number;
  perSourceRate: number;
  rateWithBenign: number;
  benignRate: number;
  benignFailures: number;
  /**
   * A detector run's benign connects/s with no detector, right before it started and right after
   * it stopped, under the same flood: the victim's capacity is compared with the mean of the two,
   * seconds away, rather than with a reference run minutes away (this host's speed drifts by a
   * third between runs). Null for the reference.
   */
  benignBracket: { before: number; after: number } | null;
  /** Null for the reference. */
  detector: DetectorFigures | null;
}

export interface DetectorFigures {
  /** CPU seconds while the flood ran, and until 2 s after it (what it took to drain). */
  userCpuFlood: number;
  userCpuTotal: number;
  /**
   * CPU seconds from WARM_MS after the flood's start to its end, and how long that was: the
   * steady cost, without the one-off of a cold process meeting its first flood (V8 compiling the
   * hot paths, the sources' groups allocated). Null for a flood no longer than WARM_MS.
   */
  userCpuSteady: { seconds: number; cpu: number } | null;
  /** CPU seconds while the flood ran again beside the benign client (the phase the victim's capacity comes from), and how long. */
  userCpuBenign: { seconds: number; cpu: number };
  redisCpuFlood: number;
  redisCpuTotal: number;
  bpfRunTimeNs: number;
  bpfRuns: number;
  /** The first alert of a shipped rule meant for the target (`detects`): arrival minus the flood's start. */
  detectMs: number | null;
  detectRule: string | null;
  /** Rules that fired and are not meant for the target (event-loss among them), in both phases. */
  otherRules: string[];
  /** The bench rule's count minus its marker (both phases); null when its alert did not come. */
  counted: number | null;
  /** Packets sent in both phases, to compare with `counted`. */
  sentInAll: number;
  /** The loss the count alert reports, and the lost events in the processes' metrics. */
  alertLoss: number | null;
  metricsLost: number;
}

/** How long after the flood alone CPU is still counted: the detector drains what it buffered. */
const DRAIN_MS = 2000;
/** How long after the flood's start its steady part begins (the warm-up took about 1.5 s here). */
const WARM_MS = 1500;
/** After the drain, before the marker: past the last SYN-cookie counter sample (1 s by default). */
const MARKER_DELAY_MS = 1000;
const COUNT_ALERT_TIMEOUT_MS = 40_000;

function synFlood(setup: FloodSetup, target: FloodTarget): Promise<Record<string, number>> {
  const args = [setup.pair.server.v4, String(target.port), String(setup.seconds), setup.firstSource, String(setup.sources)];
  return runGenerator(setup.pair, 0, setup.synFlood, args);
}

function runGenerator(pair: NetnsPair, cpu: number, cmd: string, args: string[]): Promise<Record<string, number>> {
  const child = pair.spawn(pair.client, 'taskset', ['-c', String(cpu), cmd, ...args]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  // 'close', not 'exit': only 'close' guarantees stdout was read to its end.
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.trim()}`));
      resolve(JSON.parse(out) as Record<string, number>);
    }),
  );
}

/** The bench's detector configuration with the variant's keys merged over it (objects merged, anything else replaced). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

function writeConfig(setup: FloodSetup, variant: Variant): string {
  const file = join(setup.dir, `config-${variant.name || 'default'}.yaml`);
  const config = merge(
    {
      rules: [join(packageRoot(), 'rules'), setup.rulesFile],
      // The victim's namespace only: the counts are the flood's, not the machine's other traffic.
      collector: { netns: setup.pair.server.inode },
      alerts: { sinks: [{ type: 'webhook', url: setup.receiver.url, format: 'json' }], delivery: { stateDir: setup.dir } },
    },
    variant.config,
  );
  // YAML is a superset of JSON.
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function lostInMetrics(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(/^tcpwarden_events_lost_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  } catch {
    return NaN;
  }
}

interface Running {
  children: ChildProcess[];
  /** The process holding the BPF programs. */
  collectorPid: number;
  metricsPorts: number[];
  redis: TestRedis | null;
}

async function startDetectors(setup: FloodSetup, path: 'memory' | 'redis', variant: Variant): Promise<Running> {
  const config = writeConfig(setup, variant);
  const redis = path === 'redis' ? await startRedis() : null;
  const running: Running = { children: [], collectorPid: 0, metricsPorts: [], redis };
  try {
    const roles = path === 'memory' ? ['all'] : ['engine', 'collector'];
    const started = [];
    for (const role of roles) {
      const port = await freePort();
      const redisArgs = redis ? ['--redis', redis.url] : [];
      const d = startDetector(['--config', config, '--role', role, ...redisArgs, '--metrics', `127.0.0.1:${port}`, '--state-dir', setup.dir], setup.detectorNodeArgs);
      running.children.push(d.child);
      running.metricsPorts.push(port);
      if (role !== 'engine') running.collectorPid = d.child.pid!;
      started.push(d.running);
    }
    await Promise.all(started);
    return running;
  } catch (err) {
    await stopAll(running.children);
    await redis?.stop();
    throw err;
  }
}

interface Cpu {
  user: number;
  redis: number;
}

/**
 * Phase 1: the flood alone, with the detector's CPU read at its start + WARM_MS, its end and
 * DRAIN_MS later, and the BPF programs' run time over it. Run time is counted in this phase only:
 * the counting costs every run two clock reads, which the victim's capacity in phase 2 should not
 * pay, as it does not where tcpwarden runs.
 */
async function floodAlone(setup: FloodSetup, target: FloodTarget, running: Running | null, cpuNow: () => Cpu) {
  const restoreBpfStats = running ? enableBpfStats() : () => undefined;
  try {
    const bpf0: BpfProgramRun[] = running ? bpfProgramRuns(running.collectorPid) : [];
    let warm: { at: number; cpu: number } | null = null;
    const warmTimer = setTimeout(() => (warm = { at: Date.now(), cpu: cpuNow().user }), WARM_MS);
    const flood = await synFlood(setup, target).finally(() => clearTimeout(warmTimer));
    const cpuFlood = cpuNow();
    const floodEnd = Date.now();
    if (running) await new Promise((r) => setTimeout(r, DRAIN_MS));
    const cpuDrained = cpuNow();
    const bpf = running ? bpfRunsBetween(bpf0, bpfProgramRuns(running.collectorPid)) : null;
    return { flood, floodEnd, warm: warm as { at: number; cpu: number } | null, cpuFlood, cpuDrained, bpf };
  } finally {
    restoreBpfStats();
  }
}

function steady(warm: { at: number; cpu: number } | null, end: number, cpu: number): DetectorFigures['userCpuSteady'] {
  return warm === null || end <= warm.at ? null : { seconds: (end - warm.at) / 1000, cpu: cpu - warm.cpu };
}

function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    const c = processCpuSeconds(pid);
    return sum + c.user + c.system;
  }, 0);
}

/** The flood with the benign client beside it: the generator's rate and the client's connects/s. */
async function floodBesideBenign(setup: FloodSetup, target: FloodTarget) {
  const [flood, benign] = await Promise.all([
    synFlood(setup, target),
    runGenerator(setup.pair, 1, setup.handshakeLoop, [String(setup.seconds), setup.pair.server.v4, String(BENIGN_PORT)]),
  ]);
  return { flood, benign };
}

export async function floodRun(setup: FloodSetup, target: FloodTarget, path: DetectorPath, variant: Variant): Promise<FloodRun> {
  if (path === 'reference') return measure(setup, target, null);
  const before = await floodBesideBenign(setup, target);
  const result = await measure(setup, target, await startDetectors(setup, path, variant));
  const after = await floodBesideBenign(setup, target);
  return { ...result, benignBracket: { before: before.benign.rate, after: after.benign.rate } };
}

/** Phases 1 and 2 with the detector running (stopped at the end), or with none. */
async function measure(setup: FloodSetup, target: FloodTarget, running: Running | null): Promise<FloodRun> {
  try {
    // The start's own work (rule compilation, BPF load) is over before the measurement begins.
    if (running) await new Promise((r) => setTimeout(r, 1000));
    const requests: ReceivedRequest[] = [];
    setup.receiver.onRequest = (req) => requests.push(req);
    const userPids = running?.children.map((c) => c.pid!) ?? [];
    const redisPid = running?.redis?.pid();
    const redisCpu = () => (redisPid === undefined ? 0 : cpuOf([redisPid]));
    const cpuNow = (): Cpu => ({ user: cpuOf(userPids), redis: redisCpu() });
    const cpu0 = cpuNow();
    // Phase 1, the flood alone: its rate, the detector's CPU and BPF time, the time to detect.
    const { flood, floodEnd, warm, cpuFlood, cpuDrained, bpf } = await floodAlone(setup, target, running, cpuNow);
    // Phase 2, the flood again with the benign client beside it: the victim's capacity.
    const benign0 = { at: Date.now(), cpu: cpuNow().user };
    const { flood: again, benign } = await floodBesideBenign(setup, target);
    const result: FloodRun = {
      sent: flood.sent,
      rate: flood.rate,
      perSourceRate: flood.perSourceRate,
      rateWithBenign: again.rate,
      benignRate: benign.rate,
      benignFailures: benign.failures,
      benignBracket: null,
      detector: null,
    };
    if (!running || !bpf) return result;
    const benignCpu = { seconds: (Date.now() - benign0.at) / 1000, cpu: cpuNow().user - benign0.cpu };

    await new Promise((r) => setTimeout(r, MARKER_DELAY_MS));
    await marker(setup.pair);
    const countAlert = await waitFor(() => requests.find((r) => alertOf(r).rule.id === COUNT_RULE_ID && alertOf(r).status === 'firing'), COUNT_ALERT_TIMEOUT_MS);
    const firing = requests.filter((r) => alertOf(r).status === 'firing');
    const first = firing.find((r) => target.detects.includes(alertOf(r).rule.id));
    const otherRules = [...new Set(firing.map((r) => alertOf(r).rule.id))].filter((id) => !target.detects.includes(id) && id !== COUNT_RULE_ID);
    const metricsLost = (await Promise.all(running.metricsPorts.map(lostInMetrics))).reduce((a, b) => a + b, 0);
    const counted = countAlert ? alertOf(countAlert) : null;
    result.detector = {
      userCpuFlood: cpuFlood.user - cpu0.user,
      userCpuTotal: cpuDrained.user - cpu0.user,
      userCpuSteady: steady(warm, floodEnd, cpuFlood.user),
      userCpuBenign: benignCpu,
      redisCpuFlood: cpuFlood.redis - cpu0.redis,
      redisCpuTotal: cpuDrained.redis - cpu0.redis,
      bpfRunTimeNs: bpf.runTimeNs,
      bpfRuns: bpf.runCount,
      detectMs: first ? Math.round(first.at - flood.startedAt) : null,
      detectRule: first ? alertOf(first).rule.id : null,
      otherRules,
      counted: counted ? counted.aggregates.count - 1 : null,
      sentInAll: flood.sent + again.sent,
      alertLoss: counted ? counted.loss.events : null,
      metricsLost,
    };
    return result;
  } finally {
    setup.receiver.onRequest = undefined;
    if (running) {
      await stopAll(running.children);
      await running.redis?.stop();
    }
  }
}

interface AlertBody {
  status: string;
  rule: { id: string };
  aggregates: Record<string, number>;
  loss: { events: number };
}

function alertOf(req: ReceivedRequest): AlertBody {
  return JSON.parse(req.body) as AlertBody;
}

/** One connect to a closed port of the victim, refused: the count rule's second local port. */
function marker(pair: NetnsPair): Promise<void> {
  const child = pair.spawn(pair.client, 'bash', ['-c', `exec 3<>/dev/tcp/${pair.server.v4}/${MARKER_PORT}`]);
  child.stdout!.resume();
  child.stderr!.resume();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

async function waitFor<T>(find: () => T | undefined, ms: number): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const found = find();
    if (found !== undefined) return found;
  }
  return find();
}
