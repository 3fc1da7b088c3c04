/**
 * Real SYN floods against a listener in the test's own namespace, judged by `tcpwarden run` with
 * the shipped rules: under the listener's backlog (every SYN-ACK retransmitted), far above it
 * (SYN cookies), from tens of source addresses, and over IPv6. The attacker drops the SYN-ACKs it
 * receives, so its connects stay half-open as a spoofed flood's would.
 */
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { addSourceAddresses, dropSynAcks, scenarioPair, SYNACK_TAIL_MS } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, server } from '../support/run-traffic';
import { expectDetection, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 180_000;

describeKernel('scenarios: SYN floods', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  const teardown = new Teardown();
  beforeAll(async () => {
    rules = await shippedRules();
    detector = await startScenarioDetector();
  });
  afterEach(() => teardown.run());
  afterAll(() => detector?.stop());

  /** A flood of `rate` SYNs/s for `seconds` from `sources` (or the client's own address) against a listener with `backlog`. */
  async function flood(scenario: string, rule: string, opts: { family: 4 | 6; rate: number; seconds: number; backlog: number; sources?: number }) {
    const pair = scenarioPair(teardown);
    const { server: s, client: c } = pair;
    const fam = opts.family === 4 ? 'v4' : 'v6';
    pair.exec(s, 'sysctl', ['-qw', 'net.ipv4.tcp_syncookies=1']); // the kernel default, stated
    teardown.child(await server(pair, s, [s[fam], '8080', 'sink', String(opts.backlog)]));
    const sources = opts.sources ? addSourceAddresses(pair, c, opts.sources) : [];
    const liftDrop = dropSynAcks(pair, c, opts.family);
    const firing = await expectDetection(detector, rules, {
      scenario,
      rule,
      group: rule === 'syn-flood' ? { netns: s.inode, laddr: s[fam], lport: 8080 } : { netns: s.inode },
      inodes: [s.inode, c.inode],
      intensity: { synPerSecond: opts.rate, seconds: opts.seconds, backlog: opts.backlog, sources: opts.sources ?? 1, family: opts.family },
      trafficMs: opts.seconds * 1000,
      play: () => attackTraffic(inHost(pair, c), ['synflood', s[fam], '8080', String(opts.rate), String(opts.seconds * 1000), sources.join(',')], (ch) => teardown.child(ch)),
      afterTraffic: liftDrop,
      tailMs: SYNACK_TAIL_MS,
    });
    return { firing, pair };
  }

  test(
    'below the backlog: every half-open request retransmits its SYN-ACK; syn-flood names the listener',
    async () => {
      const { firing, pair } = await flood('syn-flood-backlog', 'syn-flood', { family: 4, rate: 50, seconds: 15, backlog: 4096 });
      expect(firing.aggregates['distinct.raddr']).toBe(1);
      expect(firing.samples.every((e) => e.raddr === pair.client.v4)).toBe(true);
    },
    TIMEOUT,
  );

  test(
    'far above the backlog: SYN cookies; syn-flood-cookies names the namespace',
    async () => {
      const { firing } = await flood('syn-flood-cookies', 'syn-flood-cookies', { family: 4, rate: 500, seconds: 10, backlog: 16 });
      expect(firing.aggregates.count).toBeGreaterThanOrEqual(200);
    },
    TIMEOUT,
  );

  test(
    'from 40 source addresses of the subnet: one alert for the listener, counting every source',
    async () => {
      const { firing } = await flood('syn-flood-many-sources', 'syn-flood', { family: 4, rate: 100, seconds: 15, backlog: 4096, sources: 40 });
      expect(firing.aggregates['distinct.raddr']).toBeGreaterThanOrEqual(40);
    },
    TIMEOUT,
  );

  test(
    'over IPv6: the listener named by its IPv6 address',
    async () => {
      const { firing, pair } = await flood('syn-flood-ipv6', 'syn-flood', { family: 6, rate: 50, seconds: 15, backlog: 4096 });
      expect(firing.samples.every((e) => e.family === 6 && e.raddr === pair.client.v6)).toBe(true);
    },
    TIMEOUT,
  );
});
