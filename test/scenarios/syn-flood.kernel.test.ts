/**
 * Real SYN floods against a listener in the test's own namespace, judged by `tcpwarden run` with
 * the shipped rules: under the listener's backlog (every SYN-ACK retransmitted), far above it
 * (SYN cookies), from tens of source addresses, and over IPv6. The attacker drops the SYN-ACKs it
 * receives, so its connects stay half-open as a spoofed flood's would.
 */
import { hostname } from 'node:os';
import { addSourceAddresses, dropSynAcks, SYNACK_TAIL_MS } from '../support/attack-setup';
import { describeScenarios, type Scenario } from '../support/scenario-suite';

/** A flood of `rate` SYNs/s for `seconds` from `sources` addresses (or the client's own) against a listener with `backlog`. */
interface Flood {
  family: 4 | 6;
  rate: number;
  seconds: number;
  backlog: number;
  sources?: number;
}

const BELOW_BACKLOG: Flood = { family: 4, rate: 100, seconds: 15, backlog: 4096 };
const ABOVE_BACKLOG: Flood = { family: 4, rate: 500, seconds: 10, backlog: 16 };
const MANY_SOURCES: Flood = { family: 4, rate: 100, seconds: 15, backlog: 4096, sources: 40 };
const IPV6: Flood = { family: 6, rate: 100, seconds: 15, backlog: 4096 };

const TIMEOUT = 180_000;

describeScenarios('scenarios: SYN floods', {}, (suite) => {
  async function flood(sc: Scenario, scenario: string, rule: string, opts: Flood) {
    const pair = sc.pair();
    const { server: s, client: c } = pair;
    const fam = opts.family === 4 ? 'v4' : 'v6';
    pair.exec(s, 'sysctl', ['-qw', 'net.ipv4.tcp_syncookies=1']); // the kernel default, stated
    await sc.server(pair, s, [s[fam], '8080', 'sink', String(opts.backlog)]);
    const sources = opts.sources ? addSourceAddresses(pair, c, opts.sources) : [];
    const liftDrop = dropSynAcks(pair, c, opts.family);
    const firing = await sc.expectDetection({
      scenario,
      rule,
      // syn-flood-cookies names the listener too: the kernel shows its half-open requests (docs/events.md, "Counter samples").
      group: rule === 'syn-flood' ? { netns: s.inode, laddr: s[fam], lport: 8080 } : { netns: s.inode, host: hostname(), laddr: s[fam], lport: 8080 },
      inodes: [s.inode, c.inode],
      intensity: { synPerSecond: opts.rate, seconds: opts.seconds, backlog: opts.backlog, sources: opts.sources ?? 1, family: opts.family },
      trafficMs: opts.seconds * 1000,
      play: () => sc.attack(pair, c, ['synflood', s[fam], '8080', String(opts.rate), String(opts.seconds * 1000), sources.join(',')]),
      afterTraffic: liftDrop,
      tailMs: SYNACK_TAIL_MS,
    });
    return { firing, pair };
  }

  suite.scenario(
    'below the backlog: every half-open request retransmits its SYN-ACK; syn-flood names the listener',
    async (sc) => {
      const { firing, pair } = await flood(sc, 'syn-flood-backlog', 'syn-flood', BELOW_BACKLOG);
      expect(firing.aggregates['distinct.raddr']).toBe(1);
      expect(firing.samples.every((e) => e.raddr === pair.client.v4)).toBe(true);
    },
    TIMEOUT,
  );

  suite.scenario(
    'far above the backlog: SYN cookies; syn-flood-cookies names the listener',
    async (sc) => {
      const { firing } = await flood(sc, 'syn-flood-cookies', 'syn-flood-cookies', ABOVE_BACKLOG);
      expect(firing.aggregates.count).toBeGreaterThanOrEqual(200);
    },
    TIMEOUT,
  );

  suite.scenario(
    `from ${MANY_SOURCES.sources} source addresses of the subnet: one alert for the listener, counting every source`,
    async (sc) => {
      const { firing } = await flood(sc, 'syn-flood-many-sources', 'syn-flood', MANY_SOURCES);
      expect(firing.aggregates['distinct.raddr']).toBeGreaterThanOrEqual(MANY_SOURCES.sources!);
    },
    TIMEOUT,
  );

  suite.scenario(
    'over IPv6: the listener named by its IPv6 address',
    async (sc) => {
      const { firing, pair } = await flood(sc, 'syn-flood-ipv6', 'syn-flood', IPV6);
      expect(firing.samples.every((e) => e.family === 6 && e.raddr === pair.client.v6)).toBe(true);
    },
    TIMEOUT,
  );
});
