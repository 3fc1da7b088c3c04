import { Engine } from '../../src/engine/engine';
import { enginePartitionState } from '../../src/engine/engine-partition-state';
import { groupKeyOf } from '../../src/engine/group-key';
import { PartitionedEngine } from '../../src/engine/partitioned-engine';
import type { Alert } from '../../src/interfaces/alert';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { MemoryTransport } from '../../src/queue/memory-transport';
import { partitionOf } from '../../src/queue/partition-of';
import { compile, ev, spread, T0 } from '../support/rules';

// Two rules over the same events with different groups: an event travels to up to two partitions.
const RULES = compile(`
rules:
  - id: resets-by-peer
    name: Resets per peer
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }
    group_by: [raddr]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 30 } ] }
    summary: "{{count}} resets to {{raddr}}"
  - id: resets-by-port
    name: Resets per port
    severity: low
    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }
    group_by: [lport]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 35 } ] }
    summary: "{{count}} resets on {{lport}}"
`);
const PARTITIONS = 5;

/** Three windows of resets from a few peers to a few ports: some groups fire, keep firing, resolve. */
function stream(): TcpEvent[] {
  const out: TcpEvent[] = [];
  for (let w = 0; w < 3; w++) {
    out.push(...spread(w < 2 ? 60 : 5, w * 10_000, w * 10_000 + 9000, (i, ts) => ev({ kind: 'rst_sent', ts, raddr: '198.51.100.7', lport: 80 + (i % 2) })));
    out.push(...spread(40, w * 10_000, w * 10_000 + 9000, (i, ts) => ev({ kind: 'rst_sent', ts, raddr: `203.0.113.${i % 4}`, lport: 443 })));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

const keysOf = (e: TcpEvent) => [...new Set(RULES.map((r) => groupKeyOf(r, e)).filter((k): k is string => k !== undefined))];
const comparable = (alerts: Alert[]) => alerts.map((a) => `${a.id} ${a.status} ${a.dedupKey} ${JSON.stringify(a.aggregates)}`).sort();

async function oneEngine(events: TcpEvent[]): Promise<Alert[]> {
  const engine = new Engine(RULES);
  engine.push(events);
  return engine.flush();
}

describe('PartitionedEngine', () => {
  it('counts every (rule, group) once although each event travels to the partition of each of its groups', async () => {
    const events = stream();
    const t = new MemoryTransport({ partitions: PARTITIONS, keysOf, batchSize: 16, lingerMs: 1 });
    const engine = new PartitionedEngine(RULES, PARTITIONS);
    await t.start((b) => void engine.push(b.partition, b.events), enginePartitionState(engine));
    t.producer.publish(events);
    await t.close();
    // The events did travel more than once: without per-partition groups they would count twice.
    expect(t.metrics().ackedEvents).toBeGreaterThan(events.length);
    const alerts = await engine.advance(T0 + 300_000);
    expect(new Set(alerts.map((a) => `${a.rule.id} ${a.status}`))).toEqual(
      new Set(['resets-by-peer firing', 'resets-by-peer resolved', 'resets-by-port firing', 'resets-by-port resolved']),
    );
    expect(comparable(alerts)).toEqual(comparable(await oneEngine(events)));
  });

  it('moves a partition mid-window with its windows and alert states: the new owner neither loses counts nor alerts again', async () => {
    const events = stream();
    // Old owner: every partition, the first window and a half (one group already firing).
    const before = events.filter((e) => e.ts < T0 + 15_000);
    const after = events.filter((e) => e.ts >= T0 + 15_000);
    const old = new PartitionedEngine(RULES, PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) old.add(p);
    const route = (list: TcpEvent[], push: (p: number, batch: TcpEvent[]) => void) => {
      for (let p = 0; p < PARTITIONS; p++) push(p, list.filter((e) => keysOf(e).some((k) => partitionOf(k, PARTITIONS) === p)));
    };
    route(before, (p, batch) => old.push(p, batch));
    const firstAlerts = await old.advance(T0 + 10_000);
    expect(firstAlerts.map((a) => a.status)).toContain('firing');

    // Every partition moves to a new owner through its encoded state; the old owner forgets it.
    const next = new PartitionedEngine(RULES, PARTITIONS);
    const from = enginePartitionState(old);
    const to = enginePartitionState(next);
    for (let p = 0; p < PARTITIONS; p++) {
      to.acquired(p, from.snapshot(p));
      from.released(p);
    }
    expect(old.owned()).toEqual([]);
    route(after, (p, batch) => next.push(p, batch));
    const laterAlerts = await next.advance(T0 + 120_000);

    expect(comparable([...firstAlerts, ...laterAlerts])).toEqual(comparable(await oneEngine(events)));
  });

  it('keeps the counters of partitions that left in its stats, and ignores batches of partitions it does not hold', () => {
    const engine = new PartitionedEngine(RULES, 1);
    engine.add(0);
    engine.push(0, [ev({ kind: 'rst_sent', ts: T0 + 20_000 })]);
    void engine.advance(T0 + 40_000);
    engine.push(0, [ev({ kind: 'rst_sent', ts: T0 })]); // late: older than every window still to judge
    engine.remove(0);
    expect(engine.stats().find((s) => s.ruleId === 'resets-by-peer')).toMatchObject({ lateEvents: 1, openSlices: 0 });
    expect(engine.push(0, [ev({ kind: 'rst_sent', ts: T0 + 50_000 })])).toBe(false);
  });
});
