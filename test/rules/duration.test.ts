import { formatDuration, parseDuration } from '../../src/rules/duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '10 s', 's', '0s', '1.5s', '10sec', '-1s', '1m 30s'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

test('formatDuration gives the shortest form', () => {
  expect([0, 500, 10_000, 90_000, 3_600_000 + 1_000].map(formatDuration)).toEqual(['0s', '500ms', '10s', '1m30s', '1h1s']);
});
