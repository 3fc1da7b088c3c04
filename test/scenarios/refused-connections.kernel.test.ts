/**
 * Real refused connections judged by `tcpwarden run` with the shipped rules: a peer hammering one
 * closed port, and a scan of 40 closed ports.
 */
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { scenarioPair } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, traffic } from '../support/run-traffic';
import { expectDetection, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 180_000;

describeKernel('scenarios: refused connections and port scans', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  const teardown = new Teardown();
  beforeAll(async () => {
    rules = await shippedRules();
    detector = await startScenarioDetector();
  });
  afterEach(() => teardown.run());
  afterAll(() => detector?.stop());

  test(
    'a peer hammering one closed port: refused-connections names the peer, no port scan',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      const rate = 30;
      const seconds = 15;
      const firing = await expectDetection(detector, rules, {
        scenario: 'refused-one-port',
        rule: 'refused-connections',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { connectsPerSecond: rate, seconds },
        trafficMs: seconds * 1000,
        play: () => attackTraffic(inHost(pair, c), ['refuse', s.v4, '9', String(rate), String(seconds * 1000)], (ch) => teardown.child(ch)),
      });
      expect(firing.aggregates['distinct.lport']).toBe(1);
      expect(detector.alerts().filter((a) => a.rule.id === 'port-scan' && a.group.netns === s.inode)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    'a scan of 40 closed ports: port-scan names the scanner',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      const firing = await expectDetection(detector, rules, {
        scenario: 'port-scan',
        rule: 'port-scan',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { ports: 40 },
        trafficMs: 1000,
        play: async () => {
          const started = Date.now();
          expect(await traffic(pair, c, ['scan', s.v4, '2000', '2039'])).toEqual({ ECONNREFUSED: 40 });
          return { started };
        },
      });
      expect(firing.samples.every((e) => e.raddr === c.v4 && e.lport >= 2000 && e.lport <= 2039)).toBe(true);
    },
    TIMEOUT,
  );
});
