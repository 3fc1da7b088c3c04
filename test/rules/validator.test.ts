import { formatDiagnostic } from '../../src/rules/diagnostic';
import { loadRuleTexts } from '../../src/rules/loader';
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
