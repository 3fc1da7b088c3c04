import { AggregateSkip } from '../../src/detector/aggregate-skip';
import { Engine } from '../../src/engine/engine';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { Metrics } from '../../src/metrics/metrics';
import { compile, ev, spread, T0 } from '../support/rules';

/** Resets grouped by `groupBy`, firing at 100 in 10 s. */
const rule = (id: string, groupBy: string) => `
  - id: ${id}
    name: ${id}
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }
    group_by: [${groupBy}]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 100 } ] }
    summary: "{{count}}"
`;
const RULES = compile(`rules:${rule('by-peer', 'raddr')}${rule('by-peer-port', 'raddr, rport')}`);
/** What a collector keyed for the shipped rules leaves out of its aggregates. */
const LACK = ['rport', 'sock', 'pid', 'comm'];

/** 50 resets from one peer's ports, and an aggregate of 5,000 more from that peer (source port left out: 0). */
function batch(from: number): TcpEvent[] {
  return [...spread(50, from, from + 500, (i, ts) => ev({ kind: 'rst_sent', ts, rport: 40000 + i })), ev({ kind: 'rst_sent', ts: T0 + from + 500, rport: 0, value: 5000 })];
}

describe('AggregateSkip: a rule that needs a field the aggregates lack does not count them', () => {
  test('the rule grouped by rport leaves the aggregates out, counted and warned once; the rule grouped by raddr counts them', async () => {
    const metrics = new Metrics();
    const warn = jest.fn();
    const skip = new AggregateSkip(metrics.aggregatedSkipped, { warn } as never);
    const engine = new Engine(RULES);
    for (const from of [0, 1000]) {
      const events = batch(from);
      engine.push(events, skip.rulesFor(RULES, LACK, events));
    }
    const alerts = await engine.flush();
    const firing = alerts.filter((a) => a.status === 'firing');
    // by-peer fires at the crossing, in the first batch, with its aggregate. Without the skip,
    // by-peer-port had fired too, for a group of source port 0 (10,000 resets from port 0).
    expect(firing.map((a) => [a.rule.id, a.group, a.aggregates.count])).toEqual([['by-peer', { raddr: '192.0.2.1' }, 50 + 5000]]);
    expect((await metrics.aggregatedSkipped.get()).values).toEqual([{ labels: { rule: 'by-peer-port', field: 'rport' }, value: 10_000 }]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toBe("the collector aggregated away field rport that rule by-peer-port needs: its aggregated events are left out of the rule's counts; reload the collector's rules");
  });

  test('nothing is skipped when the aggregates lack nothing a rule needs, or the batch holds no aggregates', () => {
    const skip = new AggregateSkip(new Metrics().aggregatedSkipped, { warn: jest.fn() } as never);
    expect(skip.rulesFor(RULES, [], batch(0))).toBeUndefined();
    expect(skip.rulesFor(RULES, ['sock', 'pid', 'comm'], batch(0))).toBeUndefined();
    expect(skip.rulesFor(RULES, LACK, batch(0).filter((e) => e.value === undefined))).toBeUndefined();
    expect(skip.rulesFor(RULES, LACK, batch(0))).toEqual(new Set(['by-peer-port']));
  });
});
