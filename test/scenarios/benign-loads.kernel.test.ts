/**
 * Benign loads that look a little like attacks and must stay silent under the shipped rules:
 * no alert about the load's namespaces during the load and a settle period after it.
 */
import type { ChildProcess } from 'node:child_process';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { scenarioPair } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, server, type AttackResult } from '../support/run-traffic';
import { expectSilence, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 120_000;

describeKernel('scenarios: benign loads stay silent', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  const teardown = new Teardown();
  beforeAll(async () => {
    rules = await shippedRules();
    // The loads start from quiet after a whole window, as on a host already running: baselines have a past.
    detector = await startScenarioDetector({ warmUp: true });
  }, 60_000);
  afterEach(() => teardown.run());
  afterAll(() => detector?.stop());

  const track = (ch: ChildProcess) => teardown.child(ch);

  test(
    'thousands of short, complete connections per second',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'echo']));
      const rate = 2000;
      const seconds = 8;
      let result: AttackResult | undefined;
      await expectSilence(detector, rules, {
        scenario: 'benign-short-connections',
        inodes: [s.inode, c.inode],
        intensity: { connectionsPerSecond: rate, seconds },
        play: async () => {
          result = await attackTraffic(inHost(pair, c), ['churn', s.v4, '8080', String(rate), String(seconds * 1000), 'end'], track);
          process.stdout.write(`benign-short-connections: ${JSON.stringify(result.outcomes)}\n`);
        },
      });
      expect(result!.outcomes.closed).toBeGreaterThan(rate * seconds * 0.9);
    },
    TIMEOUT,
  );

  test(
    'a server closing connections with unread data (tcp_abort_on_close resets at the connection rate)',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'abort']));
      const rate = 100;
      const seconds = 15;
      let result: AttackResult | undefined;
      await expectSilence(detector, rules, {
        scenario: 'benign-abort-on-close',
        // The server's side, whose own resets these are. The clients' side receives a reset per
        // connection from that server, which rst-burst reports there (docs/detection.md).
        inodes: [s.inode],
        intensity: { connectionsPerSecond: rate, seconds },
        play: async () => {
          result = await attackTraffic(inHost(pair, c), ['churn', s.v4, '8080', String(rate), String(seconds * 1000), 'wait'], track);
        },
      });
      expect(result!.outcomes.ECONNRESET).toBeGreaterThan(rate * seconds * 0.9);
    },
    TIMEOUT,
  );

  test(
    'a bulk transfer on a clean link (its normal retransmits)',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      // A gigabit link's speed: over the veth the segments of a transfer this fast are sometimes
      // reordered between the two CPUs, and the sender retransmits a few dozen a second.
      const mbit = 1000;
      teardown.child(await server(pair, s, [s.v4, '8090', `source:${mbit}`]));
      const seconds = 15;
      let result: AttackResult | undefined;
      await expectSilence(detector, rules, {
        scenario: 'benign-clean-bulk',
        inodes: [s.inode, c.inode],
        intensity: { mbit, seconds },
        play: async () => {
          result = await attackTraffic(inHost(pair, c), ['download', s.v4, '8090', String(seconds * 1000)], track);
        },
      });
      expect(result!.bytes).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  test(
    'a listener restarting under its clients',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      const clients = 10;
      const restarts = 3;
      let result: AttackResult | undefined;
      await expectSilence(detector, rules, {
        scenario: 'benign-listener-restart',
        inodes: [s.inode, c.inode],
        intensity: { clients, restarts, retryMs: 1000 },
        play: async () => {
          let listener = teardown.child(await server(pair, s, [s.v4, '8080', 'sink']));
          const load = attackTraffic(inHost(pair, c), ['reconnect', s.v4, '8080', String(clients), '15000', '1000'], track);
          for (let i = 0; i < restarts; i++) {
            await new Promise((r) => setTimeout(r, 4000));
            listener.kill('SIGKILL'); // a crash; the service manager starts it again
            await new Promise((r) => listener.once('exit', r));
            listener = teardown.child(await server(pair, s, [s.v4, '8080', 'sink']));
          }
          result = await load;
          process.stdout.write(`benign-listener-restart: ${JSON.stringify(result.outcomes)}\n`);
        },
      });
      expect(result!.outcomes.connected).toBeGreaterThan(clients * restarts);
    },
    TIMEOUT,
  );

  test(
    'health checks against a service that is down (a few connects per second to a closed port)',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      const rate = 3;
      const seconds = 15;
      let result: AttackResult | undefined;
      await expectSilence(detector, rules, {
        scenario: 'benign-health-checks',
        inodes: [s.inode, c.inode],
        intensity: { connectsPerSecond: rate, seconds },
        play: async () => {
          result = await attackTraffic(inHost(pair, c), ['refuse', s.v4, '8080', String(rate), String(seconds * 1000)], track);
        },
      });
      expect(result!.outcomes.ECONNREFUSED).toBeGreaterThanOrEqual(rate * seconds);
    },
    TIMEOUT,
  );

});
