/**
 * Partitions moving mid-stream, through a real Redis — an engine worker killed with -9, stopped
 * with SIGTERM, or a second one joining: the partitions move with their sliding windows and alert
 * states, and the webhook receives exactly the alerts one worker that never changed produces from
 * the same stream — none missing, none twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector } from '../../src/detector/create-detector';
import type { Detector } from '../../src/detector/detector';
import { groupKeyOf } from '../../src/engine/group-key';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { createLogger } from '../../src/logging/create-logger';
import { partitionOf } from '../../src/queue/partition-of';
import { loadRules } from '../../src/rules/loader';
import { comparableAlerts, startEngineWorker, type EngineWorker } from '../support/engine-workers';
import { fileTempDir } from '../support/file-temp-dir';
import { startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../support/transport-contract';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const PARTITIONS = 4;
const WINDOW_MS = 5000;
// The engine workers judge a slice boundary 3 s after it passes (engine-worker.js).
const LATENESS_MS = 3000;
const RULES = join(fileTempDir('tw-failover-'), 'refused.yaml');
writeFileSync(
  RULES,
  `rules:
  - id: refused-peer
    name: Refused per peer
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }
    group_by: [raddr]
    window: 5s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 60 } ] }
    cooldown: 5m
    resolve: 5s
    summary: "{{count}} refused from {{raddr}}"
  - id: refused-port
    name: Refused per port
    severity: low
    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }
    group_by: [lport]
    window: 5s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 100 } ] }
    cooldown: 5m
    resolve: 5s
    summary: "{{count}} refused on port {{lport}}"
`,
);
// Fast failover: a dead worker's leases and batch locks lapse after 1.5 s.
const WORKER = { leaseTtlMs: 1500, lockDurationMs: 1500, stalledIntervalMs: 300 };
/** Room before the first event for the producers to start (a connection to each Redis). */
const SETUP_MS = 1500;

const refused = (ts: number, raddr: string, lport: number): TcpEvent => ({
  kind: 'connect_refused',
  direction: 'inbound',
  family: 4,
  netns: 4026531840,
  host: 'web-1',
  laddr: '10.0.0.1',
  rport: 40000,
  ts,
  raddr,
  lport,
});

/** Events at times from `start`: `rate` per second over [from, to) ms. */
function steady(start: number, from: number, to: number, rate: number, make: (ts: number, i: number) => TcpEvent): TcpEvent[] {
  const out: TcpEvent[] = [];
  for (let i = 0, t = from; t < to; i++, t = from + (i * 1000) / rate) out.push(make(start + Math.floor(t), i));
  return out;
}

/** Yields each event once the clock reaches its timestamp: a live feed. */
async function* live(events: TcpEvent[]): AsyncGenerator<TcpEvent[]> {
  let next = 0;
  while (next < events.length) {
    const due: TcpEvent[] = [];
    while (next < events.length && events[next].ts <= Date.now()) due.push(events[next++]);
    if (due.length > 0) yield due;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What one case started: stopped when the case ends, however it ends. */
interface Started {
  redis: TestRedis[];
  workers: EngineWorker[];
  producers: Detector[];
  receiver?: WebhookReceiver;
}

async function stopAll(started: Started): Promise<void> {
  await Promise.all(started.producers.map((p) => p.stop(1000)));
  await Promise.all(started.workers.map((w) => w.kill9()));
  await started.receiver?.stop();
  await Promise.all(started.redis.map((r) => r.stop()));
}

describe('engine worker failover through Redis', () => {
  // The cases run at the same time, each with its own Redis servers, workers and receiver: most of
  // a case is its live timeline (about 25 s), so they overlap instead of adding up. Jest's *Each
  // hooks do not run for concurrent tests: each case stops what it started itself.
  test.concurrent.each([
    ['a worker killed with -9', 'kill'],
    ['a worker stopped with SIGTERM', 'term'],
    ['a second worker joining', 'join'],
  ] as const)('%s mid-window: partitions move with their windows, and every alert goes out once', async (_how, change) => {
    const started: Started = { redis: [], workers: [], producers: [] };
    try {
      await failover(change, started);
    } finally {
      await stopAll(started);
    }
  }, 90_000);
});

/** One case: `change` comes mid-window while the events of every partition are live. */
async function failover(change: 'kill' | 'term' | 'join', started: Started): Promise<void> {
  const redis = (started.redis = await Promise.all([startRedis(), startRedis()]));
  const receiver = (started.receiver = await startWebhookReceiver());
  const [reference, shared] = redis;
  const args = { partitions: PARTITIONS, rules: [RULES], worker: WORKER };
  const engine = () => startEngineWorker({ ...args, url: shared.url, webhook: receiver.url });
  const single = startEngineWorker({ ...args, url: reference.url });
  const first = engine();
  const second = change === 'join' ? undefined : engine();
  const workers = started.workers;
  workers.push(single, first, ...(second ? [second] : []));
  await waitFor('the reference worker to own every partition', () => single.owned.length === PARTITIONS);
  await waitFor('the workers to share the partitions', () => first.owned.length === (second ? PARTITIONS / 2 : PARTITIONS) && (second?.owned.length ?? PARTITIONS / 2) === PARTITIONS / 2);

  // In every partition, a steady attacker and a late one.
  const rules = (await loadRules([RULES])).rules;
  const peerRule = rules.find((r) => r.id === 'refused-peer')!;
  const partitionOfPeer = (raddr: string) => partitionOf(groupKeyOf(peerRule, refused(0, raddr, 1))!, PARTITIONS);
  const candidates = Array.from({ length: 256 }, (_, i) => `198.51.100.${i}`);
  const pairs = Array.from({ length: PARTITIONS }, (_, p) => candidates.filter((a) => partitionOfPeer(a) === p).slice(0, 2));

  // From a: steady peers at 40/s for 10 s (their 5 s window crosses 60 at a+1.5 s; one
  // notification, resolved once the events stop). Late peers at 14/s from a+5 s to a+10 s: the
  // change comes at a+8 s, when a late peer has 42 events; it crosses 60 only if the new owner of
  // its partition counts on from the old owner's window. `a` is a window boundary, so the
  // windows judged are the ones this timeline describes.
  const a = Math.ceil((Date.now() + SETUP_MS) / WINDOW_MS) * WINDOW_MS;
  const changeAt = a + 8000;
  const events = pairs
    .flatMap(([steadyPeer, latePeer]) => [
      ...steady(a, 0, 2 * WINDOW_MS, 40, (ts, i) => refused(ts, steadyPeer, 1000 + (i % 7))),
      ...steady(a, WINDOW_MS, 2 * WINDOW_MS, 14, (ts, i) => refused(ts, latePeer, 2000 + (i % 3))),
    ])
    .sort((x, y) => x.ts - y.ts);
  const late = pairs.map(([, latePeer]) => latePeer);
  expect(events.filter((e) => e.raddr === late[0] && e.ts < changeAt).length).toBeGreaterThan(20);
  expect(events.filter((e) => e.raddr === late[0] && e.ts >= changeAt).length).toBeGreaterThan(20);

  const quiet = createLogger({ level: 'silent' });
  const producers = (started.producers = redis.map((r) =>
    createDetector({ role: 'collector', redisUrl: r.url, rules: [RULES], source: live(events), queue: { partitions: PARTITIONS, lingerMs: 20 }, logger: quiet }),
  ));
  await Promise.all(producers.map((p) => p.start()));

  await new Promise((r) => setTimeout(r, changeAt - Date.now()));
  // The steady peers' crossing (a+1.5 s, judged at a+4.5 s) is judged before the change, which
  // comes before a late peer reaches 60 (a+9.3 s).
  await waitFor('the steady peers judged', () => first.alerts.some((al) => al.rule.id === 'refused-peer' && al.status === 'firing'), 1500);
  expect(Date.now()).toBeLessThan(a + 9000);
  const before = [...first.owned];
  let after: EngineWorker;
  if (change === 'join') {
    after = engine();
    workers.push(after);
    await waitFor('the newcomer to take half the partitions', () => after.owned.length === PARTITIONS / 2 && first.owned.length === PARTITIONS / 2, 10_000);
  } else {
    if (change === 'kill') await first.kill9();
    else {
      first.child.kill('SIGTERM');
      await new Promise((r) => first.child.once('exit', r));
    }
    after = second!;
    await waitFor('the survivor to own every partition', () => after.owned.length === PARTITIONS, 10_000);
  }
  // Partitions did move, with windows half counted in them.
  expect(after.owned.some((p) => before.includes(p))).toBe(true);

  // Every peer fires and resolves: the steady peers' count falls under 60 after a+13.5 s,
  // resolved 5 s later, judged 3 s after that. Waited for as it happens, with 20 s past that as
  // the deadline (a loaded machine); if it never does, the comparisons below say what is missing.
  const judged = a + 13_500 + 5000 + LATENESS_MS + 1500;
  const byPeer = (alerts: typeof single.alerts) => alerts.filter((al) => al.rule.id === 'refused-peer');
  const allIn = () => byPeer(single.alerts).length >= 2 * pairs.flat().length && receiver.requests.length >= single.alerts.length;
  await waitFor('every peer fired and resolved, in the reference and at the webhook', allIn, judged + 20_000 - Date.now()).catch(() => undefined);
  await Promise.all(producers.map((p) => p.stop(1000)));
  // An alert sent twice would arrive meanwhile.
  await new Promise((r) => setTimeout(r, 1000));

  const expected = single.alerts;
  expect(byPeer(expected).map((al) => `${al.dedupKey.split('|')[1]} ${al.status}`).sort()).toEqual(
    pairs.flat().flatMap((peer) => [`${peer} firing`, `${peer} resolved`]).sort(),
  );
  // What the workers emitted together equals what one worker emitted...
  const emitted = new Map(workers.slice(1).flatMap((w) => w.alerts).map((al) => [al.id, al]));
  expect(comparableAlerts([...emitted.values()])).toEqual(comparableAlerts(expected));
  // ...including the windows counted on both sides of the change...
  for (const peer of late) {
    const count = expected.find((al) => al.dedupKey.endsWith(`|${peer}`) && al.status === 'firing')!.aggregates.count;
    expect(count).toBeGreaterThanOrEqual(60);
    expect(count).toBeGreaterThan(events.filter((e) => e.raddr === peer && e.ts < changeAt).length);
  }
  // ...and the webhook got each alert exactly once.
  const delivered = receiver.requests.map((r) => String(r.headers['webhook-id']));
  expect(delivered.sort()).toEqual(expected.map((al) => al.id).sort());
}
