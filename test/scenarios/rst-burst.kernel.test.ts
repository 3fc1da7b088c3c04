/**
 * Real RST bursts on established connections, both ways, from one peer that was quiet before:
 * clients closing with SO_LINGER 0 (the server receives the resets) and a server closing with
 * SO_LINGER 0 (the server sends them), judged by `tcpwarden run` with the shipped rules.
 */
import { describeScenarios } from '../support/scenario-suite';

/** Tens of resets per second from one peer. */
const RATE = 50;
const SECONDS = 15;

const TIMEOUT = 180_000;

describeScenarios('scenarios: RST bursts', { warmUp: true }, (suite) => {
  const bursts = [
    ['rst-burst-received', 'clients close with SO_LINGER 0: the server receives the resets', 'sink', 'linger0', 'rst_received'],
    ['rst-burst-sent', 'the server closes with SO_LINGER 0: the server sends the resets', 'reset', 'wait', 'rst_sent'],
  ];
  for (const [scenario, what, serverMode, clientClose, kind] of bursts) {
    suite.scenario(
      `${scenario}: ${what}; rst-burst names the peer`,
      async (sc) => {
        const pair = sc.pair();
        const { server: s, client: c } = pair;
        await sc.server(pair, s, [s.v4, '8080', serverMode]);
        const firing = await sc.expectDetection({
          scenario,
          rule: 'rst-burst',
          group: { netns: s.inode, raddr: c.v4 },
          inodes: [s.inode, c.inode],
          intensity: { resetsPerSecond: RATE, seconds: SECONDS },
          trafficMs: SECONDS * 1000,
          play: () => sc.attack(pair, c, ['churn', s.v4, '8080', String(RATE), String(SECONDS * 1000), clientClose]),
        });
        expect(firing.samples.some((e) => e.kind === kind && e.lport === 8080)).toBe(true);
      },
      TIMEOUT,
    );
  }
});
