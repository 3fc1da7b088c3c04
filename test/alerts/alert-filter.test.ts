import { acceptsAlert } from '../../src/alerts/alert-filter';
import { buildAlert } from '../support/alert-builder';

const low = buildAlert({ rule: { id: 'rst-burst', name: 'RST burst', severity: 'low', tags: ['rst'] } });
const critical = buildAlert();

test('min severity, rules, tags and resolved each filter', () => {
  expect(acceptsAlert({}, low)).toBe(true);
  expect([low, critical].map((a) => acceptsAlert({ minSeverity: 'high' }, a))).toEqual([false, true]);
  expect([low, critical].map((a) => acceptsAlert({ rules: ['rst-burst'] }, a))).toEqual([true, false]);
  expect([low, critical].map((a) => acceptsAlert({ tags: ['dos'] }, a))).toEqual([false, true]);
  expect(acceptsAlert({ resolved: false }, buildAlert({ status: 'resolved' }))).toBe(false);
  expect(acceptsAlert({ resolved: false }, critical)).toBe(true);
});
