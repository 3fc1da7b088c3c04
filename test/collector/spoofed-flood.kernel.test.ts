/**
 * A spoofed SYN flood (bench/gen/syn-flood.c: raw SYNs from many addresses of a prefix that
 * exists only inside the test's veth pair) against a closed port: the kernel answers each SYN with
 * a reset, and the collector sees every one of them, from every source, with the loss counted.
 */
import { Collector } from '../../src/collector/collector';
import { Tracepoint } from '../../src/collector/record-layout';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { routeSpoofedPrefix } from '../support/attack-setup';
import { buildGenerator } from '../support/generators';
import { describeKernel } from '../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../support/netns';

describeKernel('a spoofed SYN flood against a closed port', () => {
  let pair: NetnsPair;
  let gen: string;
  let prefix: string;
  beforeAll(() => {
    pair = createNetnsPair();
    gen = buildGenerator('syn-flood');
    prefix = routeSpoofedPrefix(pair);
  });
  afterAll(() => pair?.destroy());

  test('every SYN the generator sent is one reset seen, from each of its 500 sources', async () => {
    const collector = new Collector({ netns: pair.server.inode });
    const refused: TcpEvent[] = [];
    collector.on('events', (batch) => {
      for (const e of batch) if (e.kind === 'connect_refused') refused.push(e);
    });
    collector.start();
    const out = pair.exec(pair.client, gen, [pair.server.v4, '7', '1', prefix, '500', '20000']);
    const sent = JSON.parse(out) as { sent: number; sources: number; perSourceMin: number };
    const stats = await collector.stop();

    expect(sent.sent).toBeGreaterThan(5000);
    expect(sent.perSourceMin).toBeGreaterThan(0);
    const resets = stats.tracepoints[Tracepoint.SendReset];
    expect(resets.seen).toBe(sent.sent);
    // 20,000 SYNs a second is far under what the collector drains (docs/benchmarks.md): nothing lost.
    expect(resets.lost).toBe(0);
    expect(refused).toHaveLength(sent.sent);
    expect(new Set(refused.map((e) => e.raddr)).size).toBe(500);
    for (const e of refused.slice(0, 10)) expect(e).toMatchObject({ direction: 'inbound', laddr: pair.server.v4, lport: 7, netns: pair.server.inode });
  });
});
