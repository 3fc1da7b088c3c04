/**
 * Scale-out through a real Redis: the same events, judged by one engine worker or by three
 * (separate processes sharing six partitions), give exactly the same alerts — no split window
 * counts, no duplicates.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector } from '../../src/detector/create-detector';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { createLogger } from '../../src/logging/create-logger';
import { comparableAlerts, startEngineWorker, type EngineWorker } from '../support/engine-workers';
import { fileTempDir } from '../support/file-temp-dir';
import { startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../support/transport-contract';
import { roomInWindow } from '../support/window-boundary';

const PARTITIONS = 6;
const RULES_DIR = join(__dirname, '..', '..', 'rules');
// Two rules over the same events with different groups: each event travels to two partitions,
// and must still be counted once per rule, whichever worker owns which.
const EXTRA_RULES = join(fileTempDir('tw-scale-'), 'by-port.yaml');
writeFileSync(
  EXTRA_RULES,
  `rules:
  - id: refused-by-port
    name: Refused per local port
    description: every refused connection, grouped by the closed port
    severity: low
    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }
    group_by: [lport]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 40 } ] }
    summary: "{{count}} refused on port {{lport}}"
`,
);

/** Attack and benign traffic of several peers and listeners, all inside 250 ms (one slice of a 10 s window). */
function events(t: number): TcpEvent[] {
  const base = { family: 4 as const, netns: 4026531840, host: 'web-1', laddr: '10.0.0.1', rport: 40000 };
  const out: TcpEvent[] = [];
  const refused = (raddr: string, lport: number, i: number): TcpEvent => ({ ...base, kind: 'connect_refused', direction: 'inbound', ts: t + i, raddr, lport });
  for (let i = 0; i < 150; i++) out.push(refused('198.51.100.1', 7, i)); // refused-connections
  for (let i = 0; i < 30; i++) out.push(refused('198.51.100.2', 2000 + i, i)); // port-scan
  for (let i = 0; i < 50; i++) out.push(refused('198.51.100.3', 22, i)); // under every threshold
  for (let i = 0; i < 250; i++) out.push({ ...base, kind: 'synack_retransmit', ts: t + i, lport: 443, raddr: `203.0.113.${i % 200}`, state: 'NEW_SYN_RECV' });
  for (let i = 0; i < 40; i++) out.push({ ...base, kind: 'synack_retransmit', ts: t + i, lport: 80, raddr: '203.0.113.250', state: 'NEW_SYN_RECV' });
  return out;
}

async function* once(batch: TcpEvent[]): AsyncGenerator<TcpEvent[]> {
  for (let i = 0; i < batch.length; i += 100) yield batch.slice(i, i + 100);
}

describe('scale-out through Redis', () => {
  let redis: TestRedis[] = [];
  let workers: EngineWorker[] = [];
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(redis.map((r) => r.stop()));
  });

  test('one engine worker and three give identical alerts, none twice', async () => {
    redis = await Promise.all([startRedis(), startRedis()]);
    const worker = (url: string) => startEngineWorker({ url, partitions: PARTITIONS, rules: [RULES_DIR, EXTRA_RULES] });
    const one = [worker(redis[0].url)];
    const three = [worker(redis[1].url), worker(redis[1].url), worker(redis[1].url)];
    workers = [...one, ...three];
    await waitFor('one worker to own every partition', () => one[0].owned.length === PARTITIONS);
    await waitFor('three workers to share the partitions', () => three.every((w) => w.owned.length === PARTITIONS / 3));
    expect(new Set(three.flatMap((w) => w.owned)).size).toBe(PARTITIONS);

    // All events in one 1 s slice: each group's first judgement sees all of its events.
    await roomInWindow(800, 1000);
    const t = Date.now();
    const stream = events(t);
    const quiet = createLogger({ level: 'silent' });
    const producers = redis.map((r) =>
      createDetector({ role: 'collector', redisUrl: r.url, rules: [RULES_DIR, EXTRA_RULES], source: once(stream), queue: { partitions: PARTITIONS }, logger: quiet }),
    );
    await Promise.all(producers.map((p) => p.start()));

    // The slice ends at the next 1 s boundary; workers judge it 3 s later (their lateness).
    const judgedBy = Math.ceil(t / 1000) * 1000 + 3000 + 1500;
    await new Promise((r) => setTimeout(r, judgedBy - Date.now()));
    await Promise.all(producers.map((p) => p.stop(2000)));
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))));

    const single = one[0].alerts;
    const spread = three.flatMap((w) => w.alerts);
    expect(single.map((a) => a.rule.id).sort()).toEqual(['port-scan', 'refused-by-port', 'refused-by-port', 'refused-connections', 'syn-flood']);
    expect(comparableAlerts(spread)).toEqual(comparableAlerts(single));
    expect(new Set(spread.map((a) => a.id)).size).toBe(spread.length);
    const flood = single.find((a) => a.rule.id === 'syn-flood')!;
    expect(flood.aggregates).toMatchObject({ count: 250, 'distinct.raddr': 200 });
    const byPort = Object.fromEntries(single.filter((a) => a.rule.id === 'refused-by-port').map((a) => [a.group.lport, a.aggregates.count]));
    expect(byPort).toEqual({ 7: 150, 22: 50 });
  }, 90000);
});
