import { retryDelay, retryPolicy } from '../../../src/alerts/delivery/retry-policy';

const policy = { maxAttempts: 10, backoffMs: 100, maxBackoffMs: 1000 };

test('full jitter under an exponential ceiling, capped', () => {
  expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  expect(retryDelay(policy, 3, undefined, () => 0)).toBe(0);
  expect(retryDelay(policy, 3, undefined, () => 0.5)).toBe(200);
});

test('Retry-After is a floor, itself capped', () => {
  expect(retryDelay(policy, 1, 700, () => 0)).toBe(700);
  expect(retryDelay(policy, 1, 60_000, () => 0)).toBe(1000);
});

test('defaults', () => {
  expect(retryPolicy()).toEqual({ maxAttempts: 12, backoffMs: 1000, maxBackoffMs: 300_000 });
});
