import { retryDelay, retryPolicy } from '../../../src/alerts/delivery/retry-policy';

const policy = { maxAttempts: 10, backoffMs: 100, maxBackoffMs: 1000 };

test('equal jitter under an exponential ceiling, capped', () => {
  expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, undefined, () => 0))).toEqual([50, 100, 200, 400, 500]);
  expect(retryDelay(policy, 3, undefined, () => 0.5)).toBe(300);
});

test('Retry-After is a floor, itself capped', () => {
  expect(retryDelay(policy, 1, 700, () => 0)).toBe(700);
  expect(retryDelay(policy, 1, 60_000, () => 0)).toBe(1000);
});

test('the default retry budget waits out a receiver down for 20 minutes, whatever the jitter', () => {
  const p = retryPolicy();
  expect(p).toEqual({ maxAttempts: 17, backoffMs: 1000, maxBackoffMs: 300_000 });
  const waits = (random: () => number) => Array.from({ length: p.maxAttempts - 1 }, (_, i) => retryDelay(p, i + 1, undefined, random));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(sum(waits(() => 0))).toBe(1_305_500);
  expect(sum(waits(() => 1))).toBe(2_611_000);
});
