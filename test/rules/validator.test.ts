import { formatDiagnostic } from '../../src/rules/diagnostic';
import { loadRuleTexts } from '../../src/rules/loader';
import { readRuleSource } from '../../src/rules/reader';
import { checkSchema } from '../../src/rules/schema-check';
import { validateMeaning } from '../../src/rules/validator';
import { resetRule } from '../support/rules';

const LISTS = `
lists:
  office: [192.0.2.0/24]
conditions:
  from-outside:
    all:
      - { fact: raddr, operator: notInCidr, value: { list: office } }
`;

const USES_SHARED = `
rules:
  - id: outside-resets
    name: Resets from outside
    severity: low
    match: { all: [ { fact: kind, operator: equal, value: rst_sent }, { condition: from-outside } ] }
    window: 1m
    when: { all: [ { fact: count, operator: greaterThan, value: 5 } ] }
    summary: "{{count}}"
`;

describe('validation across files', () => {
  it('lets a rule use the lists and shared conditions of another file', () => {
    const r = loadRuleTexts([
      { file: 'lists.yaml', text: LISTS },
      { file: 'rules.yaml', text: USES_SHARED },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.rules.map((x) => x.id)).toEqual(['outside-resets']);
  });

  it('rejects an id used in two files, pointing at both places', () => {
    const r = loadRuleTexts([
      { file: 'one.yaml', text: resetRule() },
      { file: 'two.yaml', text: resetRule() },
    ]);
    expect(r.errors.map(formatDiagnostic)).toEqual([
      "two.yaml:3:9: error rule.duplicate-id [resets]: rule id 'resets' is already defined at one.yaml:3:5 (accepted: an id no other loaded rule uses)",
    ]);
  });

  it('reports every error of a load at once, sorted by place, and no rules', () => {
    const r = loadRuleTexts([
      { file: 'b.yaml', text: resetRule('cooldown: soon', 10).replace('window: 10s', 'window: 10') },
      { file: 'a.yaml', text: USES_SHARED.replace('kind, operator: equal', 'kinds, operator: equal') },
    ]);
    expect(r.ok).toBe(false);
    expect(r.rules).toEqual([]);
    expect(r.errors.map((e) => `${e.location.file}:${e.location.line} ${e.code}`)).toEqual([
      'a.yaml:6 field.unknown',
      'a.yaml:6 condition.unknown',
      'b.yaml:8 schema.type',
    ]);
  });

  it('warns, without failing, about rules that test every event and cooldowns under the window', () => {
    const text = resetRule('cooldown: 5s').replace('{ fact: kind, operator: equal, value: rst_sent }', '{ fact: lport, operator: equal, value: 22 }');
    const r = loadRuleTexts([
      { file: 'w.yaml', text },
      { file: 'empty.yaml', text: '# nothing yet\n' },
    ]);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => `${w.location.file}:${w.location.line} ${w.code}`)).toEqual(['empty.yaml:1 file.no-rules', 'w.yaml:6 rule.no-kind', 'w.yaml:10 duration.cooldown-short']);
  });

  it('rejects a list or shared condition defined twice, pointing at the first', () => {
    const r = loadRuleTexts([
      { file: 'a.yaml', text: LISTS },
      { file: 'b.yaml', text: LISTS },
    ]);
    expect(r.errors.map(formatDiagnostic)).toEqual([
      "b.yaml:3:3: error list.duplicate: list 'office' is already defined at a.yaml:3:3 (accepted: a name no other loaded file uses)",
      "b.yaml:5:3: error condition.duplicate: condition 'from-outside' is already defined at a.yaml:5:3 (accepted: a name no other loaded file uses)",
    ]);
  });
});

describe('limits on shared conditions', () => {
  /** A rule file whose match uses `c{n}`, with `conditions` defining c0..c{n}. */
  const withConditions = (conditions: string, n: number, context: 'match' | 'when' = 'match') => {
    const rule = resetRule().replace('match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }', `match: { all: [ { fact: kind, operator: equal, value: rst_sent }${context === 'match' ? `, { condition: c${n} }` : ''} ] }`);
    return `conditions:\n${conditions}${context === 'when' ? rule.replace('when: { all: [', `when: { all: [ { condition: c${n} },`) : rule}`;
  };

  it('reports a chain of 1,500 shared conditions as too deep, in match and in when, without overflowing the stack', () => {
    const chain = (leaf: string) => `  c0: ${leaf}\n` + Array.from({ length: 1500 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} } ] }\n`).join('');
    const match = loadRuleTexts([{ file: 'chain.yaml', text: withConditions(chain('{ fact: rport, operator: equal, value: 22 }'), 1500) }]);
    const when = loadRuleTexts([{ file: 'chain.yaml', text: withConditions(chain('{ fact: count, operator: greaterThan, value: 2 }'), 1500, 'when') }]);
    for (const r of [match, when]) {
      expect(r.errors.map((e) => e.code)).toEqual(['condition.too-deep']);
      expect(r.errors[0].message).toMatch(/^conditions nest more than 64 levels deep here \(through shared conditions c1500 -> c1499 -> c1498 -> … -> c1469\)$/);
    }
  });

  it('accepts a chain just under the depth limit', () => {
    // match's all (1), the reference (2), then an all and a reference per link, and the fact: 64 levels.
    const chain = `  c0: { fact: rport, operator: equal, value: 22 }\n` + Array.from({ length: 30 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} } ] }\n`).join('');
    const r = loadRuleTexts([{ file: 'chain.yaml', text: withConditions(chain, 30) }]);
    expect(r.errors).toEqual([]);
    expect(r.rules).toHaveLength(1);
  });

  it('checks a condition used twice by each next one once, and refuses its 2^30 expansion', () => {
    // Expanded, this is a billion comparisons (22 levels ran out of heap); checking it costs one visit per condition.
    const doubling = `  c0: { fact: rport, operator: equal, value: 22 }\n` + Array.from({ length: 30 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} }, { condition: c${i} } ] }\n`).join('');
    const r = loadRuleTexts([{ file: 'doubling.yaml', text: withConditions(doubling, 30) }]);
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([['condition.too-large', 'match expands to 1073741825 fact comparisons once its shared conditions are inlined, more than 10000']]);
  });

  it('says "too many" for an expansion too large to count', () => {
    const refs = (i: number) => Array.from({ length: 10 }, () => `{ condition: c${i} }`).join(', ');
    const wide = `  c0: { fact: rport, operator: equal, value: 22 }\n` + Array.from({ length: 20 }, (_, i) => `  c${i + 1}: { any: [ ${refs(i)} ] }\n`).join('');
    const r = loadRuleTexts([{ file: 'wide.yaml', text: withConditions(wide, 20) }]);
    expect(r.errors.map((e) => e.message)).toEqual(['match expands to too many fact comparisons once its shared conditions are inlined, more than 10000']);
  });

  it('limits the comparisons of all rules together, reporting the first rule past it once', () => {
    // Each rule: kind, 8,192 comparisons from c13, and count in when: 8,194; the 13th passes 100,000.
    const doubling = `  c0: { fact: rport, operator: equal, value: 22 }\n` + Array.from({ length: 13 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} }, { condition: c${i} } ] }\n`).join('');
    const rules = Array.from(
      { length: 20 },
      (_, i) => `  - { id: r${i}, name: R, severity: high, window: 10s, summary: x, match: { all: [ { fact: kind, operator: equal, value: rst_sent }, { condition: c13 } ] }, when: { all: [ { fact: count, operator: greaterThan, value: 5 } ] } }\n`,
    ).join('');
    const r = loadRuleTexts([{ file: 'many.yaml', text: `conditions:\n${doubling}rules:\n${rules}` }]);
    expect(r.errors.map((e) => [e.ruleId, e.code, e.message])).toEqual([
      ['r12', 'condition.too-large', 'the loaded rules hold more than 100000 fact comparisons in all once shared conditions are inlined (this rule brings them to 106522)'],
    ]);
  });

  it('limits the list values of all rules together, a list counting once per rule that uses it', () => {
    const ports = Array.from({ length: 10_000 }, (_, i) => i + 1).join(', ');
    const rules = Array.from(
      { length: 102 },
      (_, i) => `  - { id: r${i}, name: R, severity: high, window: 10s, summary: x, match: { all: [ { fact: kind, operator: equal, value: rst_sent }, { fact: lport, operator: in, value: { list: ports } } ] }, when: { all: [ { fact: count, operator: greaterThan, value: 5 } ] } }\n`,
    ).join('');
    const r = loadRuleTexts([{ file: 'lists.yaml', text: `lists:\n  ports: [${ports}]\nrules:\n${rules}` }]);
    expect(r.errors.map((e) => [e.ruleId, e.code, e.message])).toEqual([
      ['r100', 'condition.too-large', 'the loaded rules compare with more than 1000000 list values in all, a list counting once per rule that uses it (this rule brings them to 1010000)'],
    ]);
    const ok = loadRuleTexts([{ file: 'lists.yaml', text: `lists:\n  ports: [${ports}]\nrules:\n${rules.split('\n').slice(0, 100).join('\n')}\n` }]);
    expect(ok.errors).toEqual([]);
    expect(ok.rules[99].match({ kind: 'rst_sent', lport: 10_000 } as never)).toBe(true);
  });

  it('reports a bad value of a list used by many rules once, and refuses every rule using it', () => {
    const rules = Array.from(
      { length: 3 },
      (_, i) => `  - { id: r${i}, name: R, severity: high, window: 10s, summary: x, match: { all: [ { fact: kind, operator: equal, value: rst_sent }, { fact: lport, operator: in, value: { list: ports } } ] }, when: { all: [ { fact: count, operator: greaterThan, value: 5 } ] } }\n`,
    ).join('');
    const text = `lists:\n  ports: [22, ssh]\nrules:\n${rules}`;
    const r = loadRuleTexts([{ file: 'lists.yaml', text }]);
    expect(r.errors.map((e) => [e.location.line, e.location.column, e.code, e.ruleId])).toEqual([[2, 15, 'field.value-type', 'r0']]);
    // The list was checked once, for r0; r1 and r2 are refused all the same.
    const { source } = readRuleSource('lists.yaml', text);
    expect(validateMeaning([{ source, schema: checkSchema(source) }]).catalog.rules).toEqual([]);
  });

  it('still compiles a shared condition used many times within the limit, with the same match', () => {
    const doubling = `  c0: { fact: rport, operator: equal, value: 22 }\n` + Array.from({ length: 12 }, (_, i) => `  c${i + 1}: { all: [ { condition: c${i} }, { condition: c${i} } ] }\n`).join('');
    const r = loadRuleTexts([{ file: 'doubling.yaml', text: withConditions(doubling, 12) }]);
    expect(r.errors).toEqual([]);
    expect(r.rules[0].match({ kind: 'rst_sent', rport: 22 } as never)).toBe(true);
    expect(r.rules[0].match({ kind: 'rst_sent', rport: 23 } as never)).toBe(false);
  });
});
