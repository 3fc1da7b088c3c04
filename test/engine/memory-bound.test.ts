import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DistinctCounter } from '../../src/engine/distinct-counter';
import { Engine } from '../../src/engine/engine';
import { HyperLogLog } from '../../src/engine/hyper-log-log';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { loadRules } from '../../src/rules/loader';
import { T0 } from '../support/rules';

// A real gc() so heap figures measure what is retained, not garbage waiting for collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const DISTINCT = 1_000_000;

/** The i-th of a million distinct IPv4 sources (10.0.0.0/8 has room for 16 million). */
const source = (i: number) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

test('1,000,000 distinct remote addresses in one window stay within bounded memory, losses counted', async () => {
  const load = await loadRules([join(__dirname, '../../rules')]);
  const engine = new Engine(load.rules);
  gc();
  const before = process.memoryUsage().heapUsed;
  const batch: TcpEvent[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    batch.push({ kind: 'retransmit', ts: T0 + (i % 9_000), family: 4, laddr: '10.255.0.1', lport: 443, raddr: source(i), rport: 50000, state: 'ESTABLISHED', netns: 1, host: 'h1' });
    if (batch.length === 10_000) engine.push(batch.splice(0));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  const stats = Object.fromEntries(engine.stats().map((s) => [s.ruleId, s]));
  const perPeer = stats['retransmit-spike'];
  // The per-peer rule holds at most its cap of groups and says how many it dropped.
  expect(perPeer.windowGroups).toBe(10_000);
  expect(perPeer.evictedGroups).toBe(DISTINCT - 10_000);
  expect(perPeer.evictedEvents).toBe(DISTINCT - 10_000);
  // Unbounded, a million groups would take hundreds of MB; bounded, tens.
  expect(grown).toBeLessThan(64 * 1024 * 1024);

  // The host-wide rule sees all million peers in its one group, over 9 slices: their sketches
  // merged give a distinct count within 3%.
  const host = engine.exportState().rules['retransmit-spike-host'];
  const [[, group]] = host.groups;
  expect(group.window.counts.reduce((a, b) => a + b, 0)).toBe(DISTINCT);
  const merged = new HyperLogLog();
  for (const [counter] of group.window.distinct) DistinctCounter.fromState(counter, 256).mergeInto(merged);
  expect(Math.abs(merged.estimate() - DISTINCT) / DISTINCT).toBeLessThan(0.03);
  // Judging costs a json-rules-engine run per new set of facts, never one per event or per group:
  // the 10,000 one-shot peers all show the same facts.
  await engine.advance(T0 + 10_000);
  const runs = engine.stats().reduce((n, s) => n + s.evaluations, 0);
  expect(runs).toBeLessThan(100);
});
