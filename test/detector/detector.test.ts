/**
 * The detector driven by an event source instead of the kernel (no root needed): judged on the
 * events' own time, alerts as events, the built-in event-loss alert, and rule reload.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDetector } from '../../src/detector/create-detector';
import type { Detector } from '../../src/detector/detector';
import { createLogger } from '../../src/logging/create-logger';
import type { Alert } from '../../src/interfaces/alert';
import type { TcpEvent } from '../../src/interfaces/tcp-event';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const quiet = createLogger({ level: 'silent' });

function refused(raddr: string, ts: number, lport = 7): TcpEvent {
  return { kind: 'connect_refused', direction: 'inbound', ts, family: 4, laddr: '10.0.0.1', lport, raddr, rport: 40000, netns: 1, host: 'h1' };
}

/** A source that yields the batches, then keeps the stream open until closed (like a live collector). */
function source(batches: TcpEvent[][]): AsyncIterable<TcpEvent[]> & { close(): void } {
  let close = () => undefined as void;
  const closed = new Promise<void>((r) => (close = r));
  return {
    close: () => close(),
    async *[Symbol.asyncIterator]() {
      for (const b of batches) yield b;
      await closed;
    },
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Detector with an event source', () => {
  let detector: Detector | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-det-'));
  });
  afterEach(async () => {
    await detector?.stop(1000);
    detector = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a burst of refused connections from one peer fires refused-connections, on event time', async () => {
    const burst = Array.from({ length: 150 }, (_, i) => refused('203.0.113.9', T0 + i * 10));
    const later = [refused('198.51.100.1', T0 + 15_000)]; // moves event time on
    const src = source([burst, later]);
    detector = createDetector({ source: src, logger: quiet, engine: { tickMs: 20 } });
    const alerts: Alert[] = [];
    detector.on('alert', (a) => alerts.push(a));
    await detector.start();
    await until(() => alerts.some((a) => a.rule.id === 'refused-connections'));
    const fired = alerts.find((a) => a.rule.id === 'refused-connections')!;
    // 100 refusals a second: the count crosses 100 in the first slice, judged at its boundary, 1 s in
    // (a source's batches are judged on their own time, at boundaries only).
    expect(fired).toMatchObject({ status: 'firing', group: { raddr: '203.0.113.9' }, aggregates: { count: 100 }, startsAt: T0, window: { end: T0 + 1000 } });
    src.close();
  });

  test('bad events from the source are left out and counted as lost (stage collector), never thrown; unknown fields are not carried on', async () => {
    const burst = Array.from({ length: 150 }, (_, i) => ({ ...refused('203.0.113.9', T0 + i * 10), blob: 'x'.repeat(10_000) }));
    const bad = [
      { ...refused('203.0.113.9', T0), ts: 1e300 },
      { ...refused('203.0.113.9', T0), ts: 8.64e15 },
      { ...refused('203.0.113.9', T0), lport: 70000 },
      { ...refused('203.0.113.9', T0), raddr: { a: 1 } },
      { ...refused('203.0.113.9', T0), raddr: null },
    ] as unknown as TcpEvent[];
    const src = source([[...bad, ...burst], [refused('198.51.100.1', T0 + 15_000)]]);
    detector = createDetector({ source: src, logger: quiet, engine: { tickMs: 20 } });
    const alerts: Alert[] = [];
    const losses: Array<{ stage: string; events: number }> = [];
    const errors: Error[] = [];
    detector.on('alert', (a) => alerts.push(a));
    detector.on('loss', (l) => losses.push(l));
    detector.on('error', (e) => errors.push(e));
    await detector.start();
    await until(() => alerts.some((a) => a.rule.id === 'refused-connections'));
    expect(losses).toContainEqual({ stage: 'collector', events: 5 });
    expect(errors).toEqual([]);
    const fired = alerts.find((a) => a.rule.id === 'refused-connections')!;
    // The good events only: 100 in the first second, the crossing.
    expect(fired.aggregates.count).toBe(100);
    expect(JSON.stringify(fired)).not.toMatch(/blob|object Object/);
    src.close();
  });

  test('more groups than the engine may keep: events are lost to the state limit, and event-loss fires', async () => {
    const scattered = Array.from({ length: 60 }, (_, i) => refused(`198.51.100.${i + 1}`, T0 + i));
    const src = source([scattered]);
    detector = createDetector({ source: src, logger: quiet, engine: { tickMs: 20, maxKeysPerRule: 4 }, loss: { threshold: 10 } });
    const alerts: Alert[] = [];
    const losses: Array<{ stage: string; events: number }> = [];
    detector.on('alert', (a) => alerts.push(a));
    detector.on('loss', (l) => losses.push(l));
    await detector.start();
    await until(() => alerts.some((a) => a.rule.id === 'event-loss'));
    expect(losses.every((l) => l.stage === 'state')).toBe(true);
    const lossAlert = alerts.find((a) => a.rule.id === 'event-loss')!;
    expect(lossAlert).toMatchObject({ status: 'firing', rule: { severity: 'high' }, group: { host: detector.host } });
    expect(lossAlert.aggregates.lost).toBeGreaterThanOrEqual(10);
    expect(lossAlert.aggregates['lost.state']).toBe(lossAlert.aggregates.lost);
    expect(lossAlert.summary).toMatch(/events lost on .* at state\): rules may miss attacks/);
    const text = await detector.metrics.text();
    expect(text).toMatch(/tcpwarden_events_lost_total\{stage="state"\} \d+/);
    src.close();
  });

  test('reload: a broken change is rejected and the old rules keep running; a valid one applies', async () => {
    const file = join(dir, 'r.yaml');
    const rule = (id: string) =>
      `rules:\n  - id: ${id}\n    name: n\n    description: d\n    severity: low\n    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }\n    group_by: [raddr]\n    window: 10s\n    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }\n    summary: s\n`;
    writeFileSync(file, rule('first'));
    const src = source([]);
    detector = createDetector({ source: src, rules: [file], logger: quiet, watchRules: false });
    await detector.start();
    expect(detector.rules).toEqual(['first']);

    writeFileSync(file, rule('second').replace('window: 10s', 'window: soon'));
    const rejected = await detector.reload();
    expect(rejected.ok).toBe(false);
    expect(detector.rules).toEqual(['first']);

    writeFileSync(file, rule('second'));
    expect((await detector.reload()).ok).toBe(true);
    expect(detector.rules).toEqual(['second']);
    src.close();
  });
});

test('a rule file that changes on disk is reloaded without a signal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-watch-'));
  const file = join(dir, 'r.yaml');
  const rule = (id: string) =>
    `rules:\n  - id: ${id}\n    name: n\n    description: d\n    severity: low\n    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }\n    group_by: [raddr]\n    window: 10s\n    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }\n    summary: s\n`;
  writeFileSync(file, rule('before'));
  const src = source([]);
  const detector = createDetector({ source: src, rules: [dir], logger: quiet });
  try {
    await detector.start();
    writeFileSync(file, rule('after'));
    await until(() => detector.rules[0] === 'after');
  } finally {
    src.close();
    await detector.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the collector role loads the rules too: a broken rule fails its start with the rules' error, before Redis is asked", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-collector-rules-'));
  const file = join(dir, 'r.yaml');
  writeFileSync(file, 'rules:\n  - id: r\n    name: n\n    severity: low\n    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }\n    window: soon\n    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }\n    summary: s\n');
  // Nothing listens on port 1: had the collector asked Redis first, the error would be REDIS_UNREACHABLE.
  const detector = createDetector({ role: 'collector', redisUrl: 'redis://127.0.0.1:1', source: source([]), rules: [file], logger: quiet, watchRules: false });
  try {
    await expect(detector.start()).rejects.toMatchObject({ code: 'RULES_INVALID', message: expect.stringContaining(`${file}:6`) });
  } finally {
    await detector.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  }
});
