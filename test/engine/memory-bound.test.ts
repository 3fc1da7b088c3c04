import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DistinctCounter } from '../../src/engine/distinct-counter';
import { Engine } from '../../src/engine/engine';
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

  // The host-wide rule sees all million peers in its one group: its distinct count is a sketch within 3%.
  const host = engine.exportState().rules['retransmit-spike-host'];
  const [[, agg]] = host.windows[0].groups;
  expect(agg.count).toBe(DISTINCT);
  const peers = DistinctCounter.fromState(agg.distinct[0], 256).size;
  expect(Math.abs(peers - DISTINCT) / DISTINCT).toBeLessThan(0.03);
  // Judging the window costs one json-rules-engine run per tracked group, not per event.
  await engine.advance(T0 + 10_000);
  expect(engine.stats().reduce((n, s) => n + s.evaluations, 0)).toBe(10_000 + 1);
});
