import { BurstSummarizer } from '../../src/alerts/burst-summarizer';
import type { Alert } from '../../src/interfaces/alert';
import { buildAlert } from '../support/alert-builder';

function groupAlert(i: number, count: number, status: Alert['status'] = 'firing'): Alert {
  return buildAlert({ dedupKey: `syn-flood|10.0.0.${i}`, group: { laddr: `10.0.0.${i}` }, aggregates: { count }, status, loss: { events: 1, stages: { ring: 1 } } });
}

test('beyond maxGroups in one interval, the rest become one summary naming the top groups', () => {
  let now = 1_000_000;
  const summaries: Alert[] = [];
  const b = new BurstSummarizer({ intervalMs: 10_000, maxGroups: 3, topGroups: 2 }, (s) => summaries.push(s), () => now);
  const admitted = Array.from({ length: 100 }, (_, i) => b.admit(groupAlert(i, i)));
  expect(admitted.filter(Boolean)).toHaveLength(3);
  // A repeat of a group already delivered still goes out; a held group handed over again counts once.
  expect(b.admit(groupAlert(1, 5))).toBe(true);
  expect(b.admit(groupAlert(50, 50))).toBe(false);
  expect(summaries).toHaveLength(0);
  now += 10_000;
  b.flushAll();
  expect(summaries).toHaveLength(1);
  const s = summaries[0];
  expect(s.id).toBe('syn-flood|burst|1000000');
  expect(s.aggregates).toEqual({ groups: 97, count: Array.from({ length: 97 }, (_, i) => i + 3).reduce((a, c) => a + c, 0) });
  expect(s.summary).toBe('SYN flood on a listening port: 97 more groups within 10 s; top: laddr=10.0.0.99 (99), laddr=10.0.0.98 (98); and 95 others');
  expect(s.loss.events).toBe(97);
  expect(s.samples).toHaveLength(2);
});

test('a resolution of a group that was only summarized is dropped; others pass', () => {
  const b = new BurstSummarizer({ maxGroups: 1 }, () => undefined);
  b.admit(groupAlert(1, 10));
  b.admit(groupAlert(2, 10));
  expect(b.admit(groupAlert(2, 10, 'resolved'))).toBe(false);
  expect(b.admit(groupAlert(1, 10, 'resolved'))).toBe(true);
  b.flushAll();
});

test('the interval timer sends the summary by itself', async () => {
  const summaries: Alert[] = [];
  const b = new BurstSummarizer({ intervalMs: 50, maxGroups: 1 }, (s) => summaries.push(s));
  b.admit(groupAlert(1, 1));
  b.admit(groupAlert(2, 1));
  await new Promise((r) => setTimeout(r, 120));
  expect(summaries.map((s) => s.aggregates.groups)).toEqual([1]);
});

test('a group that went out on its own keeps going out in a later, crowded interval, and so does its resolution', () => {
  let now = 0;
  const b = new BurstSummarizer({ intervalMs: 1000, maxGroups: 1 }, () => undefined, () => now);
  expect(b.admit(groupAlert(1, 10))).toBe(true);
  now = 5000;
  expect(b.admit(groupAlert(2, 10))).toBe(true);
  expect(b.admit(groupAlert(3, 10))).toBe(false);
  // Group 1 repeats (the engine's cooldown passed) while the interval is full: the receiver knows it, it goes out.
  expect(b.admit(groupAlert(1, 10))).toBe(true);
  expect(b.admit(groupAlert(1, 10, 'resolved'))).toBe(true);
  expect(b.admit(groupAlert(3, 10, 'resolved'))).toBe(false);
  b.flushAll();
});
