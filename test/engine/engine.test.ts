import { Engine } from '../../src/engine/engine';
import type { Alert } from '../../src/interfaces/alert';
import { compile, ev, resetRule, spread, T0 } from '../support/rules';

const rst = (i: number, ts: number, raddr = '192.0.2.1') => ev({ kind: 'rst_sent', ts, raddr, rport: 40000 + i });

async function run(engine: Engine, events: ReturnType<typeof rst>[], until?: number): Promise<Alert[]> {
  engine.push(events);
  return until === undefined ? engine.flush() : engine.advance(until);
}

describe('Engine', () => {
  it('fires at the first slice boundary where the condition holds over the sliding window, not at a window end', async () => {
    const engine = new Engine(compile(resetRule('', 1000)));
    // 2,000 resets in 2 s starting 7 s into a 10 s period: a tumbling window would have split them.
    engine.push(spread(2000, 7_000, 9_000, (i, ts) => rst(i, ts)));
    expect(await engine.advance(T0 + 7_999)).toEqual([]);
    const alerts = await engine.advance(T0 + 20_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      dedupKey: 'resets|192.0.2.1',
      group: { raddr: '192.0.2.1' },
      // The window slides: as of 8 s it holds [-2 s, 8 s), the first 1,000 resets.
      window: { start: T0 - 2_000, end: T0 + 8_000 },
      aggregates: { count: 1000, rate: 100 },
      summary: '1000 resets from 192.0.2.1',
      host: 'h1',
      netns: [1],
      // The crossing came within the slice that ends at 8 s.
      startsAt: T0 + 7_000,
      rule: { id: 'resets', name: 'Resets', severity: 'high', tags: [] },
    });
    expect(alerts[0].samples).toHaveLength(3);
    for (const e of alerts[0].samples) expect(e.ts).toBeGreaterThanOrEqual(T0 - 2_000);
  });


  it('judges only groups whose window changed: json-rules-engine runs once per new set of facts', async () => {
    const engine = new Engine(compile(resetRule()));
    // One reset per second for 5 s, then silence: the group changes at each of those boundaries and
    // when its slices leave the window, and is forgotten once its window is empty.
    engine.push(spread(5, 0, 5_000, (i, ts) => rst(i, ts)));
    expect(await engine.advance(T0 + 60_000)).toEqual([]);
    // Facts seen: counts 1..5 going up, 4..0 going down; the second 1..4 are remembered verdicts, and
    // 0, below counts judged false under `count >= 1000`, is false by the verdict bounds.
    expect(engine.stats()[0].evaluations).toBe(5);
    expect(engine.stats()[0].trackedGroups).toBe(0);
  });

  it('judges a rule on distinct counts only again when a value is new, its memo key without the count', async () => {
    // `equal` is not monotone: no verdict bounds, so json-rules-engine runs for every new memo key.
    const scan = resetRule().replace('fact: count, operator: greaterThanInclusive, value: 10', 'fact: distinct.lport, operator: equal, value: 3');
    const engine = new Engine(compile(scan));
    // The same three ports over and over, 1 to 20 events a second: the count changes every second, the distinct count does not.
    const events = Array.from({ length: 20 }, (_, s) => spread(s + 1, s * 1_000, s * 1_000 + 1_000, (i, ts) => ({ ...rst(0, ts), lport: 80 + ((s + i) % 3) }))).flat();
    engine.push(events);
    const alerts = await engine.advance(T0 + 20_000);
    expect(alerts.map((a) => [a.status, a.aggregates['distinct.lport']])).toEqual([['firing', 3]]);
    // Distinct counts seen: 1 (the first second's one event) and 3 from the second on; with the
    // count in the memo key, every second's new count made its own run (20).
    expect(engine.stats()[0].evaluations).toBe(2);
  });

  it('does not fire under the threshold and judges groups apart', async () => {
    const engine = new Engine(compile(resetRule()));
    const events = [...spread(9, 0, 9_000, (i, ts) => rst(i, ts, '192.0.2.1')), ...spread(9, 0, 9_000, (i, ts) => rst(i, ts, '192.0.2.2'))];
    expect(await run(engine, events)).toEqual([]);
  });

  it('fires once per cooldown, repeats with updated figures after it, resolves after the resolve period', async () => {
    const engine = new Engine(compile(resetRule('cooldown: 30s\nresolve: 20s')));
    // 60 s of resets, more in the second half, then silence.
    const events = [...spread(300, 0, 30_000, (i, ts) => rst(i, ts)), ...spread(600, 30_000, 60_000, (i, ts) => rst(i, ts))];
    const alerts = await run(engine, events);
    expect(alerts.map((a) => [a.status, a.window.end - T0, a.aggregates.count])).toEqual([
      ['firing', 1_000, 10],
      ['firing', 31_000, 110],
      ['firing', 61_000, 180],
      // The last events leave the window at 70 s; under 10 resets from 69 s; 20 s later it resolves.
      ['resolved', 89_000, 0],
    ]);
    expect(alerts[3]).toMatchObject({ startsAt: T0, endsAt: T0 + 89_000, window: { start: T0 + 79_000, end: T0 + 89_000 } });
  });

  it('judges expiry: a lessThan condition fires when the slices of a busy group leave the window', async () => {
    const engine = new Engine(compile(resetRule().replace('operator: greaterThanInclusive, value: 10', 'operator: lessThan, value: 5')));
    engine.push(spread(100, 0, 10_000, (i, ts) => rst(i, ts)));
    const alerts = await engine.advance(T0 + 30_000);
    // 10 resets a second for 10 s: the count stays at 10 or more until the last slice leaves at 20 s.
    expect(alerts.map((a) => [a.status, a.window.end - T0, a.aggregates.count])).toEqual([['firing', 20_000, 0]]);
  });

  it('judges at the same instants however advance is called: the judgement is a function of event time', async () => {
    const events = [...spread(300, 0, 30_000, (i, ts) => rst(i, ts)), ...spread(900, 30_000, 40_000, (i, ts) => rst(i, ts, '192.0.2.7'))];
    const once = await run(new Engine(compile(resetRule('cooldown: 10s'))), events);
    const stepped = new Engine(compile(resetRule('cooldown: 10s')));
    const alerts: Alert[] = [];
    // Batches of 37 events, each followed by advances at odd instants (another worker's tick phase).
    for (let i = 0; i < events.length; i += 37) {
      const batch = events.slice(i, i + 37);
      stepped.push(batch);
      alerts.push(...(await stepped.advance(batch[batch.length - 1].ts - 123)));
      alerts.push(...(await stepped.advance(batch[batch.length - 1].ts)));
    }
    alerts.push(...(await stepped.flush()));
    const view = (list: Alert[]) => list.map((a) => `${a.id} ${a.status} ${a.window.end} ${JSON.stringify(a.aggregates)}`);
    expect(once.length).toBeGreaterThan(3);
    expect(view(alerts)).toEqual(view(once));
  });

  it('judges the boundaries after events pushed while json-rules-engine ran, instead of skipping to the next expected change', async () => {
    const before = [rst(0, T0)];
    const meanwhile = spread(10, 2_500, 2_600, (i, ts) => rst(i, ts, '192.0.2.9'));
    const engine = new Engine(compile(resetRule()));
    engine.push(before);
    // The first boundary's verdict (a count of 1) is not remembered yet: json-rules-engine runs, and the batch comes in meanwhile.
    const judging = engine.advance(T0 + 5_000);
    engine.push(meanwhile);
    const alerts = await judging;
    const alone = await run(new Engine(compile(resetRule())), [...before, ...meanwhile], T0 + 5_000);
    expect(alerts.map((a) => [a.group.raddr, a.window.end - T0])).toEqual([['192.0.2.9', 3_000]]);
    expect(alerts.map((a) => a.id)).toEqual(alone.map((a) => a.id));
  });

  it('gives the same deterministic ids for the same events, different ones per status and window', async () => {
    const events = spread(200, 0, 40_000, (i, ts) => rst(i, ts));
    const a = await run(new Engine(compile(resetRule())), events);
    const b = await run(new Engine(compile(resetRule())), events);
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    expect(new Set(a.map((x) => x.id)).size).toBe(a.length);
    expect(a[0].id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts events in past slices still inside the window, and events older than the window as late', async () => {
    const engine = new Engine(compile(resetRule('', 18)));
    engine.push(spread(15, 0, 9_000, (i, ts) => rst(i, ts)));
    expect(await engine.advance(T0 + 10_000)).toEqual([]);
    // Behind the judgement but inside the next window ([1 s, 11 s)): they raise the count.
    engine.push(spread(5, 5_000, 6_000, (i, ts) => rst(i, ts)));
    // Older than any window still to judge: late.
    engine.push([rst(0, T0 + 500)]);
    expect(engine.stats()[0].lateEvents).toBe(1);
    const alerts = await engine.advance(T0 + 11_000);
    // As of 11 s: 13 of the first resets (from 1 s on) and the 5 that came behind.
    expect(alerts.map((a) => [a.window.end - T0, a.aggregates.count])).toEqual([[11_000, 18]]);
  });

  it('caps groups per rule, evicting the least recently used and counting the loss', async () => {
    const engine = new Engine(compile(resetRule('', 50)), { maxKeysPerRule: 100 });
    // One heavy peer among 5,000 one-shot spoofed sources: the heavy one must survive eviction.
    const events = spread(5_000, 0, 9_000, (i, ts) => (i % 50 === 0 ? rst(i, ts, '198.51.100.1') : rst(i, ts, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)));
    const alerts = await run(engine, events, T0 + 10_000);
    expect(alerts.map((a) => a.group.raddr)).toEqual(['198.51.100.1']);
    expect(alerts[0].aggregates.count).toBeGreaterThanOrEqual(50);
    const stats = engine.stats()[0];
    expect(stats.evictedGroups).toBeGreaterThanOrEqual(4_800);
    expect(stats.evictedEvents).toBe(stats.evictedGroups);
    // The alert reports the events evicted from the slices of its window (the first 5 s of 9).
    const evicted = alerts[0].loss.stages['engine.evicted'];
    expect(evicted).toBeGreaterThan(2_000);
    expect(evicted).toBeLessThan(stats.evictedEvents);
    expect(alerts[0].loss).toEqual({ events: evicted, stages: { 'engine.evicted': evicted, 'engine.late': 0 } });
  });

  it('lets each worker judge only the groups it owns, together giving the alerts of one engine', async () => {
    const rules = compile(resetRule());
    const events = [1, 2, 3, 4, 5, 6].flatMap((p) => spread(50, 0, 29_000, (i, ts) => rst(i, ts, `192.0.2.${p}`)));
    const owner = (key: string) => Number(key.split('.')[3]) % 2;
    const single = await run(new Engine(rules), events);
    const w0 = await run(new Engine(rules, { ownsGroup: (_id, key) => owner(key) === 0 }), events);
    const w1 = await run(new Engine(rules, { ownsGroup: (_id, key) => owner(key) === 1 }), events);
    const ids = (list: Alert[]) => list.map((a) => a.id).sort();
    expect(w0.length).toBeGreaterThan(0);
    expect(w1.length).toBeGreaterThan(0);
    expect(ids([...w0, ...w1])).toEqual(ids(single));
  });

  it('exports and imports window state as plain JSON, continuing where the other engine stopped', async () => {
    const rules = compile(resetRule());
    const events = spread(400, 0, 40_000, (i, ts) => rst(i, ts, i % 3 === 0 ? '192.0.2.9' : '192.0.2.1'));
    const whole = await run(new Engine(rules), events);
    const first = new Engine(rules);
    first.push(events.slice(0, 150));
    const before = await first.advance(events[149].ts);
    const json = JSON.parse(JSON.stringify(first.exportState()));
    const second = new Engine(rules);
    // State goes only to a rule with the same id and fingerprint.
    expect(new Engine(compile(resetRule('', 11))).importState(json)).toEqual([]);
    expect(second.importState(json)).toEqual(['resets']);
    const after = await run(second, events.slice(150));
    expect([...before, ...after].map((a) => a.id)).toEqual(whole.map((a) => a.id));
  });

  it('keeps the state of unchanged rules across setRules and starts changed rules afresh', async () => {
    const engine = new Engine(compile(resetRule()));
    engine.push(spread(50, 0, 5_000, (i, ts) => rst(i, ts)));
    engine.setRules(compile(resetRule()));
    expect(engine.stats()[0].windowGroups).toBe(1);
    engine.setRules(compile(resetRule('', 11)));
    expect(engine.stats()[0].windowGroups).toBe(0);
  });

  it('computes spike against the baseline of past blocks, with a floor and without learning blocks where it held', async () => {
    const yaml = resetRule().replace('window: 10s', 'window: 10s\n    baseline: { windows: 3, min_count: 5 }').replace('value: 10 }', 'value: 10 }, { fact: spike, operator: greaterThanInclusive, value: 3 }');
    const engine = new Engine(compile(yaml));
    const counts = [20, 20, 20, 100, 100, 20, 0, 20];
    const events = counts.flatMap((n, w) => spread(n, w * 10_000, w * 10_000 + 9_000, (i, ts) => rst(i, ts)));
    engine.push(events);
    const alerts = await engine.flush();
    expect(alerts.map((a) => [a.status, (a.window.end - T0) / 1000, a.aggregates.baseline, a.aggregates.spike])).toEqual([
      // Crossed 5 s into the block of 100 (64 events in the sliding window, 3.2 times 20).
      ['firing', 35, 20, 3.2],
      // The blocks where it held are not learned: the baseline stays 20 until it resolves.
      ['resolved', 64, 20, 0.55],
    ]);
  });

  it('counts quiet blocks as zeros in the baseline, keeping only the last baseline.windows', async () => {
    const yaml = resetRule().replace('window: 10s', 'window: 10s\n    baseline: { windows: 3, min_count: 5 }').replace('value: 10 }', 'value: 10 }, { fact: spike, operator: greaterThanInclusive, value: 3 }');
    const engine = new Engine(compile(yaml));
    const counts = [20, 20, 0, 0, 0, 100];
    engine.push(counts.flatMap((n, w) => spread(n, w * 10_000, w * 10_000 + 9_000, (i, ts) => rst(i, ts))));
    const alerts = await engine.advance(T0 + 60_000);
    expect(alerts.map((a) => [a.status, (a.window.end - T0) / 1000, a.aggregates.baseline, a.aggregates.spike])).toEqual([['firing', 52, 5, 4.6]]);
  });

  it('reports late events as loss on the rule\'s next alert', async () => {
    const engine = new Engine(compile(resetRule()));
    engine.push(spread(5, 0, 9_000, (i, ts) => rst(i, ts)));
    await engine.advance(T0 + 10_000);
    // The next window is [1 s, 11 s): these are older.
    engine.push([rst(0, T0 + 100), rst(1, T0 + 200)]);
    engine.push(spread(20, 10_000, 19_000, (i, ts) => rst(i, ts)));
    const [alert] = await engine.advance(T0 + 20_000);
    expect(alert.loss).toEqual({ events: 2, stages: { 'engine.evicted': 0, 'engine.late': 2 } });
  });

  it('still tests events of kinds it does not know against the rules that do not restrict the kind', async () => {
    const anyKind = compile(resetRule().replace('{ all: [ { fact: kind, operator: equal, value: rst_sent } ] }', '{ all: [ { fact: lport, operator: equal, value: 80 } ] }'));
    const engine = new Engine([...compile(resetRule()).map((r) => ({ ...r, id: 'resets-only' })), ...anyKind]);
    engine.push(spread(20, 0, 9_000, (i, ts) => ({ ...rst(i, ts), kind: 'future_kind' as never })));
    expect((await engine.advance(T0 + 10_000)).map((a) => a.rule.id)).toEqual(['resets']);
  });

  it('applies a batch to every other rule once when one rule fails on it, and counts the failure', async () => {
    const good = compile(resetRule())[0];
    // A rule the validator would refuse (group_by: [__proto__] passed it once): its group key cannot be read.
    const broken = { ...good, id: 'broken', fingerprint: 'broken', groupBy: ['__proto__' as never] };
    const engine = new Engine([good, broken]);
    // All in the first slice: the crossing judgement sees the whole batch, counted once.
    const batch = spread(12, 0, 900, (i, ts) => rst(i, ts));
    expect(() => engine.push(batch)).not.toThrow();
    const alerts = await engine.advance(T0 + 10_000);
    expect(alerts.map((a) => [a.rule.id, a.aggregates.count])).toEqual([['resets', 12]]);
    expect(engine.stats().map((s) => [s.ruleId, s.failedBatches])).toEqual([
      ['resets', 0],
      ['broken', 1],
    ]);
  });
});
