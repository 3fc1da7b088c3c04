/**
 * Real refused connections judged by `tcpwarden run` with the shipped rules: a peer hammering one
 * closed port, and a scan of 40 closed ports.
 */
import { traffic } from '../support/run-traffic';
import { describeScenarios } from '../support/scenario-suite';

/** Connects a second to one closed port, and for how long. */
const REFUSED_RATE = 50;
const REFUSED_SECONDS = 15;
/** Closed ports scanned in one burst, from FIRST_PORT on. */
const SCAN_PORTS = 40;
const FIRST_PORT = 2000;

const TIMEOUT = 180_000;

describeScenarios('scenarios: refused connections and port scans', {}, (suite) => {
  suite.scenario(
    'a peer hammering one closed port: refused-connections names the peer, no port scan',
    async (sc) => {
      const pair = sc.pair();
      const { server: s, client: c } = pair;
      const firing = await sc.expectDetection({
        scenario: 'refused-one-port',
        rule: 'refused-connections',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { connectsPerSecond: REFUSED_RATE, seconds: REFUSED_SECONDS },
        trafficMs: REFUSED_SECONDS * 1000,
        play: () => sc.attack(pair, c, ['refuse', s.v4, '9', String(REFUSED_RATE), String(REFUSED_SECONDS * 1000)]),
      });
      expect(firing.aggregates['distinct.lport']).toBe(1);
      expect(suite.detector.alerts().filter((a) => a.rule.id === 'port-scan' && a.group.netns === s.inode)).toEqual([]);
    },
    TIMEOUT,
  );

  suite.scenario(
    `a scan of ${SCAN_PORTS} closed ports: port-scan names the scanner`,
    async (sc) => {
      const pair = sc.pair();
      const { server: s, client: c } = pair;
      const lastPort = FIRST_PORT + SCAN_PORTS - 1;
      const firing = await sc.expectDetection({
        scenario: 'port-scan',
        rule: 'port-scan',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { ports: SCAN_PORTS },
        trafficMs: 1000,
        play: async () => {
          const started = Date.now();
          expect(await traffic(pair, c, ['scan', s.v4, String(FIRST_PORT), String(lastPort)])).toEqual({ ECONNREFUSED: SCAN_PORTS });
          return { started };
        },
      });
      expect(firing.samples.every((e) => e.raddr === c.v4 && e.lport >= FIRST_PORT && e.lport <= lastPort)).toBe(true);
    },
    TIMEOUT,
  );
});
