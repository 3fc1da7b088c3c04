/**
 * A spoofed SYN flood (bench/gen/syn-flood.c: raw SYNs from many addresses of a prefix that
 * exists only inside the test's veth pair) against a closed port: the kernel answers each SYN with
 * a reset, and the collector sees every one of them, from every source, with the loss counted.
 * Aggregation is off here: this is the ring buffer's path (kernel-aggregation.kernel.test.ts has
 * the other).
 */
import { Collector } from '../../src/collector/collector';
import { Tracepoint } from '../../src/collector/record-layout';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { describeKernel } from '../support/kernel-access';
import { setUpSpoofedFlood, type SpoofedFloodSetup } from '../support/spoofed-flood';

describeKernel('a spoofed SYN flood against a closed port', () => {
  let setup: SpoofedFloodSetup;
  beforeAll(() => {
    setup = setUpSpoofedFlood();
  });
  afterAll(() => setup?.destroy());

  test('every SYN the generator sent is one reset seen, from each of its 500 sources', async () => {
    const { pair } = setup;
    const collector = new Collector({ netns: pair.server.inode, aggregate: 'off' });
    const refused: TcpEvent[] = [];
    collector.on('events', (batch) => {
      for (const e of batch) if (e.kind === 'connect_refused') refused.push(e);
    });
    collector.start();
    const sent = await setup.flood(7, 1, 500, 20000);
    const stats = await collector.stop();

    expect(sent.sent).toBeGreaterThan(5000);
    expect(sent.perSourceMin).toBeGreaterThan(0);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.seen).toBe(sent.sent);
    // 20,000 SYNs a second is far under what the collector drains (docs/benchmarks.md): nothing lost.
    expect(resets.lost).toBe(0);
    expect(resets.aggregated).toBe(0);
    expect(refused).toHaveLength(sent.sent);
    expect(new Set(refused.map((e) => e.raddr)).size).toBe(500);
    for (const e of refused.slice(0, 10)) expect(e).toMatchObject({ direction: 'inbound', laddr: pair.server.v4, lport: 7, netns: pair.server.inode });
  });
});
