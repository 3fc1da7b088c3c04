import { Engine as JsonRulesEngine } from 'json-rules-engine';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { cidrOperators } from '../../src/rules/cidr-operators';
import { fillAddressColumns } from '../../src/rules/address-columns';
import { batchMatcher, cidrFieldsOf, matchPredicate } from '../../src/rules/match-predicate';
import type { NestedCondition } from '../../src/rules/resolve-condition';
import { topLevel } from '../../src/rules/resolve-condition';
import { ev, T0 } from '../support/rules';

const CONDITIONS: NestedCondition[] = [
  { fact: 'kind', operator: 'equal', value: 'rst_sent' },
  { fact: 'reason', operator: 'notEqual', value: 'no_socket' },
  { fact: 'lport', operator: 'lessThan', value: 1024 },
  { fact: 'lport', operator: 'lessThanInclusive', value: 443 },
  { fact: 'rport', operator: 'greaterThan', value: 40000 },
  { fact: 'pid', operator: 'greaterThanInclusive', value: 100 },
  { fact: 'state', operator: 'in', value: ['ESTABLISHED', 'SYN_SENT'] },
  { fact: 'state', operator: 'notIn', value: ['SYN_SENT'] },
  { fact: 'raddr', operator: 'inCidr', value: ['10.0.0.0/8', 'fd00::/8'] },
  { fact: 'raddr', operator: 'notInCidr', value: '192.0.2.0/24' },
  { all: [] },
  { any: [] },
  { all: [{ fact: 'kind', operator: 'equal', value: 'rst_sent' }, { not: { fact: 'lport', operator: 'equal', value: 22 } }] },
  { any: [{ fact: 'raddr', operator: 'inCidr', value: '::1' }, { all: [{ fact: 'family', operator: 'equal', value: 6 }, { fact: 'lport', operator: 'in', value: [80, 443] }] }] },
];

/** Events covering present and absent optional fields, both families, inside and outside the blocks. */
function events(): TcpEvent[] {
  const out: TcpEvent[] = [];
  const raddrs = ['10.1.2.3', '192.0.2.7', '198.51.100.1', 'fd00::5', '::1', '2001:db8::1'];
  const kinds = ['rst_sent', 'retransmit'] as const;
  let i = 0;
  for (const raddr of raddrs)
    for (const kind of kinds)
      for (const lport of [22, 80, 443, 8080])
        for (const state of [undefined, 'ESTABLISHED', 'SYN_SENT']) {
          i++;
          const e = ev({ kind, ts: T0 + i, raddr, lport, family: raddr.includes(':') ? 6 : 4, rport: 30000 + i * 211, state, reason: i % 3 === 0 ? 'no_socket' : undefined });
          if (i % 2 === 0) e.pid = i * 7;
          out.push(e);
        }
  return out;
}

test.each(CONDITIONS.map((c) => [JSON.stringify(c), c]))('%s means what it means to json-rules-engine', async (_name, cond) => {
  const engine = new JsonRulesEngine([], { allowUndefinedFacts: true });
  for (const op of cidrOperators()) engine.addOperator(op);
  engine.addRule({ conditions: topLevel(cond as NestedCondition), event: { type: 'match' } });
  const compiled = matchPredicate(cond as NestedCondition);
  const list = events();
  const expected = await Promise.all(list.map(async (e) => (await engine.run({ ...e })).events.length > 0));
  expect(list.map(compiled)).toEqual(expected);
  // The engine's batch form picks exactly the same events, its CIDR tests reading the addresses parsed once per batch.
  const out = new Uint32Array(list.length);
  const addresses = fillAddressColumns(list, [...cidrFieldsOf(cond as NestedCondition)], {});
  const n = batchMatcher(cond as NestedCondition)(list, out, addresses);
  expect([...out.subarray(0, n)]).toEqual(expected.flatMap((m, i) => (m ? [i] : [])));
  // Both outcomes occur, so the comparison says something (except for the constant conditions).
  if (!('all' in cond && cond.all.length === 0) && !('any' in cond && cond.any.length === 0)) expect(new Set(expected).size).toBe(2);
});

test('values never become code', () => {
  const hostile = "x'); process.exit(1); ('";
  const match = matchPredicate({ fact: 'comm', operator: 'equal', value: hostile });
  expect(match(ev({ kind: 'destroy', ts: 0, comm: hostile }))).toBe(true);
  expect(match(ev({ kind: 'destroy', ts: 0, comm: 'x' }))).toBe(false);
});
