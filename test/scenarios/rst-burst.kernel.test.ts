/**
 * Real RST bursts on established connections, both ways, from one peer that was quiet before:
 * clients closing with SO_LINGER 0 (the server receives the resets) and a server closing with
 * SO_LINGER 0 (the server sends them), judged by `tcpwarden run` with the shipped rules.
 */
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { scenarioPair } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, server } from '../support/run-traffic';
import { expectDetection, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 180_000;
/** Tens of resets per second from one peer. */
const RATE = 50;
const SECONDS = 15;

describeKernel('scenarios: RST bursts', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  const teardown = new Teardown();
  beforeAll(async () => {
    rules = await shippedRules();
    detector = await startScenarioDetector({ warmUp: true });
  }, 60_000);
  afterEach(() => teardown.run());
  afterAll(() => detector?.stop());

  test.each([
    ['rst-burst-received', 'clients close with SO_LINGER 0: the server receives the resets', 'sink', 'linger0', 'rst_received'],
    ['rst-burst-sent', 'the server closes with SO_LINGER 0: the server sends the resets', 'reset', 'wait', 'rst_sent'],
  ])(
    '%s: %s; rst-burst names the peer',
    async (scenario, _what, serverMode, clientClose, kind) => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', serverMode]));
      const firing = await expectDetection(detector, rules, {
        scenario,
        rule: 'rst-burst',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { resetsPerSecond: RATE, seconds: SECONDS },
        trafficMs: SECONDS * 1000,
        play: () => attackTraffic(inHost(pair, c), ['churn', s.v4, '8080', String(RATE), String(SECONDS * 1000), clientClose], (ch) => teardown.child(ch)),
      });
      expect(firing.samples.some((e) => e.kind === kind && e.lport === 8080)).toBe(true);
    },
    TIMEOUT,
  );
});
