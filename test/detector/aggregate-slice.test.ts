import { aggregateSliceMsOf, slicesFit } from '../../src/detector/aggregate-slice';
import { loadRules, loadRuleTexts } from '../../src/rules/loader';
import { SHIPPED_RULES } from '../support/scenario-detector';

/** One rule per window, ids w0, w1, ... */
function rulesWithWindows(...windows: string[]) {
  const text = ['rules:'];
  windows.forEach((w, i) =>
    text.push(
      `  - id: w${i}`,
      '    name: n',
      '    description: d',
      '    severity: low',
      '    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }',
      `    window: ${w}`,
      '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }',
      '    summary: s',
    ),
  );
  const result = loadRuleTexts([{ file: 'r.yaml', text: text.join('\n') + '\n' }]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rules;
}

describe('aggregateSliceMsOf: the in-kernel aggregation slice for the rules', () => {
  test('the shipped rules (10 s windows, 1 s slices) get the 250 ms tick', async () => {
    const shipped = await loadRules([SHIPPED_RULES]);
    expect(shipped.ok).toBe(true);
    expect(aggregateSliceMsOf(shipped.rules, 250)).toBe(250);
  });

  test('the longest divisor of every window slice no longer than the tick', () => {
    expect(aggregateSliceMsOf(rulesWithWindows('10s', '2s'), 250)).toBe(200); // slices 1 s and 200 ms
    expect(aggregateSliceMsOf(rulesWithWindows('3s'), 250)).toBe(150); // slices 300 ms
    expect(aggregateSliceMsOf(rulesWithWindows('10s', '5s', '1m'), 1000)).toBe(500);
    expect(aggregateSliceMsOf(rulesWithWindows('10s'), 100)).toBe(100);
  });

  test('100 ms when the slices share no divisor that long, or with no rules', () => {
    expect(aggregateSliceMsOf(rulesWithWindows('1s'), 250)).toBe(100); // slices of 100 ms
    expect(aggregateSliceMsOf(rulesWithWindows('10s', '1234ms'), 250)).toBe(100); // slices 1 s and 617 ms
    expect(aggregateSliceMsOf(rulesWithWindows('10s'), 50)).toBe(100);
    expect(aggregateSliceMsOf([], 250)).toBe(100);
  });

  test('slicesFit: whether a rule loaded later keeps whole aggregation slices in its window slices', () => {
    const [ten, two, odd] = rulesWithWindows('10s', '2s', '1234ms');
    expect(slicesFit(ten, 250)).toBe(true);
    expect(slicesFit(two, 250)).toBe(false);
    expect(slicesFit(two, 100)).toBe(true);
    expect(slicesFit(odd, 100)).toBe(false);
  });
});
