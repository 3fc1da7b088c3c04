/**
 * In-kernel aggregation under a spoofed SYN flood to a closed port (test/support/spoofed-flood.ts):
 * each SYN is one reset, counted per key in the kernel while aggregation is on. What is checked
 * is exactness: the values of the aggregates add up, per source, to the SYNs sent; the ledger
 * seen = delivered + aggregated + lost holds per tracepoint; keys that share a slot are counted
 * apart (the slot's in the slot, the others in the map); a full aggregation map falls back to
 * full records; the task (pid, comm) is in full records and in aggregates only when kept; the
 * maps are drained again after a quiet spell; and `auto` switches on under the flood (early in the
 * slice it starts in) and off after it.
 */
import { Collector, type CollectorOptions, type CollectorStats } from '../../src/collector/collector';
import { Tracepoint } from '../../src/collector/record-layout';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { describeKernel } from '../support/kernel-access';
import { setUpSpoofedFlood, type FloodResult, type SpoofedFloodSetup } from '../support/spoofed-flood';

interface Run {
  sent: FloodResult;
  stats: CollectorStats;
  refused: TcpEvent[];
  /** stats().tracepoints[SendReset].aggregating, sampled every 50 ms while the flood ran. */
  switched: boolean[];
}

describeKernel('in-kernel aggregation of a spoofed SYN flood', () => {
  let setup: SpoofedFloodSetup;
  beforeAll(() => {
    setup = setUpSpoofedFlood();
  });
  afterAll(() => setup?.destroy());

  async function run(
    options: CollectorOptions,
    seconds: number,
    sources: number,
    rate: number,
    after?: (c: Collector) => Promise<void>,
    before?: (c: Collector) => Promise<void>,
  ): Promise<Run> {
    const collector = new Collector({ netns: setup.pair.server.inode, snmpIntervalMs: 0, names: false, ...options });
    const refused: TcpEvent[] = [];
    collector.on('events', (batch) => {
      for (const e of batch) if (e.kind === 'connect_refused') refused.push(e);
    });
    collector.start();
    const switched: boolean[] = [];
    const sampling = setInterval(() => switched.push(collector.stats().tracepoints[Tracepoint.SendReset].aggregating), 50);
    let stats: CollectorStats | undefined;
    try {
      if (before) await before(collector);
      const sent = await setup.flood(7, seconds, sources, rate);
      if (after) await after(collector);
      stats = await collector.stop();
      return { sent, stats, refused, switched };
    } finally {
      clearInterval(sampling);
      if (!stats) await collector.stop();
    }
  }

  function countsBySource(events: TcpEvent[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.raddr, (counts.get(e.raddr) ?? 0) + (e.value ?? 1));
    return counts;
  }

  function expectLedger(stats: CollectorStats): void {
    for (const t of stats.tracepoints) {
      expect({ tracepoint: t.tracepoint, seen: t.seen }).toEqual({ tracepoint: t.tracepoint, seen: t.delivered + t.aggregated + t.lost });
      expect({ tracepoint: t.tracepoint, handedOver: t.aggregatedDelivered }).toEqual({ tracepoint: t.tracepoint, handedOver: t.aggregated });
    }
  }

  test('forced on: the aggregates of each source add up to exactly the SYNs it sent, in far fewer events', async () => {
    const { sent, stats, refused } = await run({ aggregate: 'on' }, 1.5, 500, 40000);
    expect(sent.sent).toBeGreaterThan(20000);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.seen).toBe(sent.sent);
    expect(resets.aggregated).toBe(sent.sent);
    expect(resets.lost).toBe(0);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
    // One event per source and 100 ms slice (the flood's 1.5 s touches at most 17 slices).
    expect(refused.length).toBeLessThanOrEqual(500 * 17);
    expect(refused.every((e) => e.value !== undefined && e.lport === 7 && e.rport === 0 && e.laddr === setup.pair.server.v4)).toBe(true);
    // The key leaves the task out unless a rule keeps it.
    expect(refused.every((e) => e.pid === undefined && e.comm === undefined)).toBe(true);
    expectLedger(stats);
  });

  test('kept task: aggregates carry the pid and comm of the CPU\'s task, still exact per source', async () => {
    const { sent, refused } = await run({ aggregate: 'on', aggregateKeep: ['comm'] }, 0.5, 100, 20000);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.value !== undefined && e.pid !== undefined && e.comm !== undefined && e.comm !== '')).toBe(true);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
  });

  test('after a quiet spell the maps are drained again: a new flood is handed over before the stop', async () => {
    let handedOverBeforeStop = 0;
    const { sent, stats } = await run(
      { aggregate: 'on' },
      0.5,
      100,
      20000,
      async (c) => {
        // Two slices and the grace: the flood's last slice is over and drained.
        await new Promise((r) => setTimeout(r, 400));
        handedOverBeforeStop = c.stats().tracepoints[Tracepoint.SendReset].aggregatedDelivered;
      },
      // Long enough for the drain to find both maps empty and stop draining them.
      () => new Promise((r) => setTimeout(r, 800)),
    );
    expect(stats.tracepoints[Tracepoint.SendReset].aggregated).toBe(sent.sent);
    expect(handedOverBeforeStop).toBe(sent.sent);
  });

  test('one slot per CPU: the keys that find it taken go on to the map, each still exact per source', async () => {
    const { sent, stats, refused } = await run({ aggregate: 'on', aggregateSlots: 1 }, 1, 200, 20000);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.aggregated).toBe(sent.sent);
    expect(resets.aggregateFull).toBe(0);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
    expectLedger(stats);
  });

  test('a full aggregation map sends the keys it cannot take as full records: still exact per source', async () => {
    // One slot per CPU, so nearly every key goes on to the map and fills it.
    const { sent, stats, refused } = await run({ aggregate: 'on', aggregateMaxKeys: 64, aggregateSlots: 1 }, 1, 500, 20000);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.aggregateFull).toBeGreaterThan(0);
    expect(resets.aggregated).toBeGreaterThan(0);
    expect(resets.delivered).toBe(resets.aggregateFull);
    expect(resets.lost).toBe(0);
    // Records written in full carry the task, as with aggregation off.
    const full = refused.filter((e) => e.value === undefined);
    expect(full.length).toBe(resets.aggregateFull);
    expect(full.every((e) => e.pid !== undefined && e.comm !== undefined && e.comm !== '')).toBe(true);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
    expectLedger(stats);
  });

  test('auto: on under a fast flood, off once it has been quiet for the hold time', async () => {
    let offAfter = false;
    const { sent, stats, refused, switched } = await run({ aggregate: 'auto', aggregateAbove: 5000, aggregateHoldMs: 300 }, 1.5, 100, 30000, async (c) => {
      for (let i = 0; i < 60 && !offAfter; i++) {
        await new Promise((r) => setTimeout(r, 50));
        offAfter = !c.stats().tracepoints[Tracepoint.SendReset].aggregating;
      }
    });
    expect(switched).toContain(true);
    expect(offAfter).toBe(true);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    // The first slice, before the switch saw the rate, came as full records; the rest as aggregates.
    expect(resets.delivered).toBeGreaterThan(0);
    expect(resets.aggregated).toBeGreaterThan(resets.delivered);
    expect(refused.some((e) => e.value === undefined)).toBe(true);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
    expectLedger(stats);
  });

  test('auto: on within the slice the flood starts in, not at its end', async () => {
    // A 10 s slice: judged at its end only, the flood's first seconds would come in full (1.5 s
    // at 30,000 SYNs a second is 45,000 records), the costliest part of a flood for the reader.
    const { sent, stats, refused } = await run({ aggregate: 'auto', aggregateAbove: 5000, aggregateSliceMs: 10_000 }, 1.5, 100, 30000);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.aggregated).toBeGreaterThan(0);
    // A few of the reader's 10 ms polls' worth came in full before it switched.
    expect(resets.delivered).toBeLessThan(3000);
    expect(countsBySource(refused)).toEqual(setup.perSource(sent));
    expectLedger(stats);
  });
});
