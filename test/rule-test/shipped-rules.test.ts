import { join } from 'node:path';
import { runRuleTests } from '../../src/rule-test/run-rule-tests';

const RULES = join(__dirname, '../../rules');

describe('the shipped rules in rules/', () => {
  let outcome: Awaited<ReturnType<typeof runRuleTests>>;
  beforeAll(async () => {
    outcome = await runRuleTests([RULES]);
  });

  it('load without errors or warnings', () => {
    expect(outcome.load.errors).toEqual([]);
    expect(outcome.load.warnings).toEqual([]);
  });

  it('pass every fixture test beside them', () => {
    const failed = outcome.results.filter((r) => !r.passed).map((r) => `${r.test.file}:${r.test.line} ${r.test.name}\n  ${r.failures.join('\n  ')}`);
    expect(failed).toEqual([]);
    expect(outcome.results.length).toBeGreaterThanOrEqual(13);
  });

  // Every shipped rule must be shown to fire, repeat only after its cooldown, resolve, and stay
  // silent on benign traffic that resembles its attack.
  it.each(['syn-flood', 'syn-flood-cookies', 'syn-flood-cookies-netns', 'syn-flood-drops', 'syn-flood-drops-netns', 'rst-burst', 'refused-connections', 'port-scan', 'retransmit-spike', 'retransmit-spike-host'])(
    '%s has tests that fire, repeat after the cooldown, resolve and stay silent',
    (id) => {
      const mine = outcome.results.filter((r) => r.test.rules.includes(id));
      const statuses = (r: (typeof mine)[number]) => r.alerts.filter((a) => a.rule.id === id).map((a) => a.status);
      expect(mine.some((r) => statuses(r).includes('firing'))).toBe(true);
      expect(mine.some((r) => statuses(r).includes('resolved'))).toBe(true);
      expect(mine.some((r) => statuses(r).filter((s) => s === 'firing').length >= 2)).toBe(true);
      expect(mine.some((r) => r.test.expect.length === 0 && r.test.name.startsWith('silent'))).toBe(true);
    },
  );
});
