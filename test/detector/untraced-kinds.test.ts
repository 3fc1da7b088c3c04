import { UntracedKinds } from '../../src/detector/untraced-kinds';
import { compile } from '../support/rules';

const rule = (id: string, match: string) => `
  - id: ${id}
    name: ${id}
    severity: high
    match: ${match}
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 100 } ] }
    summary: "{{count}}"
`;
const RULES = compile(
  `rules:${rule('states', '{ all: [ { fact: kind, operator: in, value: [state_change, rst_sent] } ] }')}${rule('resets', '{ all: [ { fact: kind, operator: equal, value: rst_sent } ] }')}${rule('any', '{ all: [ { fact: lport, operator: equal, value: 22 } ] }')}`,
);
/** What a collector running the shipped rules (probe off) does not trace. */
const SHIPPED_UNTRACED = ['state_change', 'destroy', 'probe'];

describe('UntracedKinds: a rule reading kinds a collector does not trace is named once', () => {
  test('each rule reading an untraced kind is warned about once, with the kinds it reads; an open rule is not warned about tcp_probe', () => {
    const warn = jest.fn();
    const untraced = new UntracedKinds({ warn } as never);
    const later = Date.now() + 10_000;
    untraced.check(RULES, SHIPPED_UNTRACED, later);
    untraced.check(RULES, SHIPPED_UNTRACED, later);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      { rule: 'states', kinds: ['state_change'] },
      { rule: 'any', kinds: ['state_change', 'destroy'] },
    ]);
    expect(warn.mock.calls[0][1]).toMatch(/^rule states reads state_change, which a collector does not trace: none of its rules reads that kind/);
  });

  test('batches sealed within 3 s of this engine taking new rules are not held against them: the collector follows at its own reload', () => {
    const warn = jest.fn();
    const untraced = new UntracedKinds({ warn } as never);
    untraced.check(RULES, SHIPPED_UNTRACED, Date.now());
    untraced.check(RULES, SHIPPED_UNTRACED, Date.now() + 2000);
    expect(warn).not.toHaveBeenCalled();
    untraced.check(RULES, SHIPPED_UNTRACED, Date.now() + 3500);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  test('nothing untraced, or nothing a rule reads: no warning', () => {
    const warn = jest.fn();
    const untraced = new UntracedKinds({ warn } as never);
    untraced.check(RULES, [], Date.now() + 10_000);
    untraced.check(RULES.filter((r) => r.id === 'resets'), SHIPPED_UNTRACED, Date.now() + 10_000);
    expect(warn).not.toHaveBeenCalled();
  });
});
