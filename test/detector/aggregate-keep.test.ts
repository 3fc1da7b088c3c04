import { aggregateFieldsOf, aggregateKeepOf } from '../../src/detector/aggregate-keep';
import { loadRules, loadRuleTexts } from '../../src/rules/loader';
import { SHIPPED_RULES } from '../support/scenario-detector';

function rules(text: string) {
  const result = loadRuleTexts([{ file: 'r.yaml', text }]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rules;
}

const rule = (lines: string[]) =>
  ['rules:', '  - id: r', '    name: n', '    description: d', '    severity: low', ...lines.map((l) => `    ${l}`), '    window: 10s', '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }', '    summary: s', ''].join('\n');

describe('aggregateKeepOf: the per-packet fields aggregates keep for the rules', () => {
  test('the shipped rules use none of them: a flood from random source ports collapses per peer address', async () => {
    const shipped = await loadRules([SHIPPED_RULES]);
    expect(shipped.ok).toBe(true);
    expect(aggregateKeepOf(shipped.rules)).toEqual([]);
  });

  test('a field a rule groups by, matches on or counts distinct values of is kept', () => {
    expect(aggregateKeepOf(rules(rule(['match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }', 'group_by: [rport]'])))).toEqual(['rport']);
    expect(aggregateKeepOf(rules(rule(['match: { all: [ { fact: kind, operator: equal, value: rst_sent }, { any: [ { fact: comm, operator: equal, value: nginx } ] } ] }'])))).toEqual(['comm']);
    const distinct = rule(['match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }']).replace('fact: count, operator: greaterThanInclusive, value: 1', 'fact: distinct.sock, operator: greaterThanInclusive, value: 5');
    expect(aggregateKeepOf(rules(distinct))).toEqual(['sock']);
  });

  test('the set is the union of what each rule needs (aggregateFieldsOf)', () => {
    const two = rules(rule(['match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }', 'group_by: [rport]']) + rule(['match: { all: [ { fact: comm, operator: equal, value: nginx } ] }']).replace('rules:\n', '').replace('id: r', 'id: s'));
    expect(two.map((r) => aggregateFieldsOf(r))).toEqual([['rport'], ['comm']]);
    expect(aggregateKeepOf(two)).toEqual(['rport', 'comm']);
    expect(aggregateKeepOf([])).toEqual([]);
  });
});
