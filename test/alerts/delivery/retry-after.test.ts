import { parseRetryAfter } from '../../../src/alerts/delivery/retry-after';

test('seconds, HTTP dates, and garbage', () => {
  const now = Date.UTC(2026, 10, 25, 9, 0, 0);
  expect(parseRetryAfter('120', now)).toBe(120_000);
  expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
  expect(parseRetryAfter('Wed, 25 Nov 2026 08:00:00 GMT', now)).toBe(0);
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
});
