/**
 * Time to detect: from the kernel event that makes a rule's condition true to the webhook
 * request arriving at a local receiver, through `tcpwarden run` as a user runs it — in one
 * process (in-memory queue), and split into `--role collector` + `--role engine` around a
 * redis-server started here.
 *
 * Real kernel traffic: a peer in a namespace of the benchmark's own connects to a closed port of
 * another namespace, paced, and the rule fires at its THRESHOLD-th refused connection. Each trial
 * comes from a new source address (a new group, so no cooldown carries over) and the generator
 * notes the wall-clock time at which its THRESHOLD-th connect was refused: the kernel's event
 * precedes that by microseconds, so the figure is, if anything, a little low by that much. The
 * receiver notes arrival on the same clock.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from '../src/collector/preflight';
import { createNetnsPair, type NetnsPair } from '../test/support/netns';
import { startRedis } from '../test/support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../test/support/webhook-receiver';
import type { Benchmark, Figures } from './benchmark';
import { startDetector, stopAll } from './detector-process';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 20);
const THRESHOLD = 20;
/** Between connects: 200/s, so the threshold is crossed 100 ms into the trial. */
const PACE_MS = 5;
/** The goals of the real-time detection issue, p99, to compare with. */
const GOAL_MS = { memory: 500, redis: 1000 };

const RULE = `rules:
  - id: bench-refused
    name: Bench refused connections
    description: one peer refused ${THRESHOLD} times
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: connect_refused }, { fact: direction, operator: equal, value: inbound } ] }
    group_by: [raddr]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: ${THRESHOLD} } ] }
    cooldown: 1h
    summary: "{{raddr}} refused {{count}} times"
`;

/**
 * The generator, run in the client namespace: for each source address, THRESHOLD paced connects
 * to the closed port, then a pause; one JSON line per trial with the crossing time.
 */
const GENERATOR = `
const net = require('node:net');
const [host, port, pace, threshold, gap, ...sources] = process.argv.slice(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const refuse = (localAddress) => new Promise((resolve) => {
  const s = net.connect({ host, port: Number(port), localAddress });
  s.once('error', () => resolve(Date.now()));
  s.once('connect', () => (s.destroy(), resolve(NaN)));
});
(async () => {
  for (const src of sources) {
    let crossed = NaN;
    for (let i = 1; i <= Number(threshold); i++) {
      const at = await refuse(src);
      if (i === Number(threshold)) crossed = at;
      await sleep(Number(pace));
    }
    process.stdout.write(JSON.stringify({ src, crossed }) + '\\n');
    await sleep(Number(gap));
  }
})();
`;

interface Trial {
  src: string;
  crossed: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs the trials against running detectors and returns the latencies of the trials that alerted. */
async function trials(pair: NetnsPair, receiver: WebhookReceiver, sources: string[]): Promise<{ latencies: number[]; missed: number }> {
  const arrived = new Map<string, number>();
  receiver.onRequest = (req) => {
    const body = JSON.parse(req.body) as { status: string; group: { raddr?: string } };
    if (body.status === 'firing' && body.group.raddr && !arrived.has(body.group.raddr)) arrived.set(body.group.raddr, req.at);
  };
  const gen = pair.spawn(pair.client, process.execPath, ['-e', GENERATOR, pair.server.v4, '7', String(PACE_MS), String(THRESHOLD), '1000', ...sources]);
  let out = '';
  gen.stdout!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => gen.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`generator exited ${code}`)))));
  const done = out.trim().split('\n').map((l) => JSON.parse(l) as Trial);
  // The last trial's alert may still be on its way.
  const until = Date.now() + 15_000;
  while (arrived.size < done.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const latencies = done.filter((t) => arrived.has(t.src)).map((t) => arrived.get(t.src)! - t.crossed);
  return { latencies: latencies.sort((a, b) => a - b), missed: done.length - latencies.length };
}

function figures(prefix: string, r: { latencies: number[]; missed: number }, goalMs: number): Figures {
  const p99 = r.latencies.length > 0 ? percentile(r.latencies, 99) : null;
  return {
    [`${prefix} trials alerted`]: r.latencies.length,
    [`${prefix} trials missed`]: r.missed,
    [`${prefix} time to detect p50 ms`]: r.latencies.length > 0 ? percentile(r.latencies, 50) : null,
    [`${prefix} time to detect p99 ms`]: p99,
    [`${prefix} time to detect max ms`]: r.latencies.length > 0 ? r.latencies[r.latencies.length - 1] : null,
    [`${prefix} p99 / goal (${goalMs} ms)`]: p99 === null ? null : Number((p99 / goalMs).toFixed(2)),
  };
}

export const benchmark: Benchmark = {
  name: 'detection-latency',
  description: `time from the kernel event that crosses a rule's threshold to the webhook, through tcpwarden run in memory and through Redis (${TRIALS} trials each)`,
  async run(log) {
    preflight();
    const dir = mkdtempSync(join(tmpdir(), 'tw-latency-'));
    const pair = createNetnsPair();
    const receiver = await startWebhookReceiver();
    const children: ChildProcess[] = [];
    try {
      const rules = join(dir, 'rules.yaml');
      writeFileSync(rules, RULE);
      // One source address per trial and mode, on the client's side of the veth.
      const subnet = pair.client.v4.split('.').slice(0, 3).join('.');
      const sources = (base: number) => Array.from({ length: TRIALS }, (_, i) => `${subnet}.${base + i}`);
      const dev = pair.exec(pair.client, 'ip', ['-o', 'link', 'show', 'type', 'veth']).split(':')[1].trim().split('@')[0];
      for (const src of [...sources(20), ...sources(120)]) pair.exec(pair.client, 'ip', ['addr', 'add', `${src}/32`, 'dev', dev]);

      log(`in memory: tcpwarden run, ${TRIALS} trials ...`);
      const one = startDetector(['--rules', rules, '--webhook', receiver.url, '--state-dir', dir]);
      children.push(one.child);
      await one.running;
      const memory = await trials(pair, receiver, sources(20));
      await stopAll(children.splice(0));

      log(`through Redis: --role collector + --role engine, ${TRIALS} trials ...`);
      const redis = await startRedis();
      try {
        const engine = startDetector(['--role', 'engine', '--redis', redis.url, '--rules', rules, '--webhook', receiver.url, '--state-dir', dir]);
        const collector = startDetector(['--role', 'collector', '--redis', redis.url]);
        children.push(engine.child, collector.child);
        await Promise.all([engine.running, collector.running]);
        const viaRedis = await trials(pair, receiver, sources(120));
        await stopAll(children.splice(0));
        return {
          command: 'sudo npm run bench -- detection-latency',
          threshold: `${THRESHOLD} refused connects at ${1000 / PACE_MS}/s in a 10 s window`,
          ...figures('in memory:', memory, GOAL_MS.memory),
          ...figures('through Redis:', viaRedis, GOAL_MS.redis),
        };
      } finally {
        await redis.stop();
      }
    } finally {
      await stopAll(children);
      await receiver.stop();
      pair.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
