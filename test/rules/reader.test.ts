import { readRuleSource } from '../../src/rules/reader';

const TEXT = `rules:
  - id: a
    window: 10s
    match:
      all:
        - { fact: kind, operator: equal, value: rst_sent }
`;

describe('readRuleSource', () => {
  const { source, diagnostics } = readRuleSource('r.yaml', TEXT);

  it('turns YAML into plain data', () => {
    expect(diagnostics).toEqual([]);
    expect(source.data).toEqual({ rules: [{ id: 'a', window: '10s', match: { all: [{ fact: 'kind', operator: 'equal', value: 'rst_sent' }] } }] });
  });

  it('locates values and keys by path, 1-based', () => {
    expect(source.locate(['rules', 0, 'window'])).toEqual({ file: 'r.yaml', line: 3, column: 13 });
    expect(source.locate(['rules', 0, 'window'], 'key')).toEqual({ file: 'r.yaml', line: 3, column: 5 });
    expect(source.locate(['rules', 0, 'match', 'all', 0, 'value'])).toEqual({ file: 'r.yaml', line: 6, column: 49 });
  });

  it('falls back to the deepest node a path reaches', () => {
    expect(source.locate(['rules', 0, 'nope', 'deeper'])).toEqual({ file: 'r.yaml', line: 2, column: 5 });
  });

  it('reports only the first syntax error, located, without the parser\'s own position text', () => {
    const bad = readRuleSource('b.yaml', 'rules:\n  - id: [a\n    name: x\n');
    expect(bad.source.data).toBeUndefined();
    expect(bad.diagnostics).toHaveLength(1);
    expect(bad.diagnostics[0]).toMatchObject({ code: 'yaml.syntax', location: { file: 'b.yaml', line: 3, column: 5 } });
    expect(bad.diagnostics[0].message).not.toMatch(/at line/);
  });
});
