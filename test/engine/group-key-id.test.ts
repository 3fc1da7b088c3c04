import { Engine } from '../../src/engine/engine';
import type { Alert } from '../../src/interfaces/alert';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { seededRandom } from '../support/random-conditions';
import { compile, ev, T0 } from '../support/rules';

function rule(id: string, groupBy: string): string {
  return `
  - id: ${id}
    name: ${id}
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }
    group_by: ${groupBy}
    window: 2s
    when: { any: [ { fact: count, operator: greaterThanInclusive, value: 4 }, { fact: distinct.rport, operator: greaterThanInclusive, value: 3 } ] }
    summary: "{{count}}"`;
}

/** What must not depend on how a group was found: everything but the rule and the names of the group. */
function outcome(alerts: Alert[]): string[] {
  return alerts.map((a) => `${a.status} ${a.window.start}-${a.window.end} ${a.group.raddr} ${JSON.stringify(a.aggregates)} ${a.samples.map((e) => e.rport).join(',')}`);
}

// A rule grouped by two fields finds its groups by the id of their interned key (RuleRuntime.byKeyId);
// grouped by one field, by the key string in its map. With the namespace constant both group alike,
// so they must alert alike: through evictions (a cap of 40 groups), groups emptied and forgotten,
// and the key table dropped and rebuilt (over 65,536 keys), its ids then naming other keys.
test.each([1, 2, 3])('groups found by key id alert as groups found by key string (seed %i)', async (seed) => {
  const [byId, byString] = compile(`rules:${rule('by-id', '[netns, raddr]')}${rule('by-string', '[raddr]')}\n`);
  const engine = new Engine([byId, byString], { maxKeysPerRule: 40 });
  const draw = seededRandom(seed);
  const alerts: Alert[] = [];
  let ts = T0;
  let fresh = 0;
  for (let batch = 0; batch < 400; batch++) {
    const events: TcpEvent[] = [];
    // Mostly a few dozen peers that come back (most lookups hit: the full table is rebuilt, not
    // bypassed); in some batches a flood of peers never seen again.
    const flood = draw() < 0.2;
    for (let i = 0; i < (flood ? 1_000 : 300); i++) {
      ts += draw() * 5;
      const raddr = flood ? `10.${(fresh >> 16) & 255}.${(fresh >> 8) & 255}.${fresh++ & 255}` : `192.0.2.${Math.floor(draw() * 60)}`;
      events.push(ev({ kind: 'rst_sent', ts, raddr, netns: 7, rport: 1000 + Math.floor(draw() * 8) }));
    }
    engine.push(events);
    alerts.push(...(await engine.advance(ts - 100, ts)));
  }
  alerts.push(...(await engine.flush()));
  const of = (id: string) => alerts.filter((a) => a.rule.id === id);
  expect(of('by-id').length).toBeGreaterThan(100);
  expect(outcome(of('by-id'))).toEqual(outcome(of('by-string')));
  const [idStats, stringStats] = engine.stats();
  expect(idStats.evictedGroups).toBeGreaterThan(0);
  expect({ ...idStats, ruleId: '' }).toEqual({ ...stringStats, ruleId: '' });
});
