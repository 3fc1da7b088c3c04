/**
 * A real retransmit spike judged by `tcpwarden run` with the shipped rules: a bulk download (paced
 * to 200 Mbit/s) runs clean for a baseline, then the receiver drops a few percent of the segments at random, so the
 * sender (the victim's namespace) retransmits to that peer.
 */
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { randomLoss, scenarioPair } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, server } from '../support/run-traffic';
import { expectDetection, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 180_000;
/** The transfer is paced like a link: unpaced over a veth it retransmits thousands of reordered segments a second with no loss. */
const MBIT = 200;

describeKernel('scenarios: retransmit spikes', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  const teardown = new Teardown();
  beforeAll(async () => {
    rules = await shippedRules();
    detector = await startScenarioDetector({ warmUp: true });
  }, 60_000);
  afterEach(() => teardown.run());
  afterAll(() => detector?.stop());

  test(
    '5% random loss on a bulk transfer after a clean baseline: retransmit-spike names the peer',
    async () => {
      const pair = scenarioPair(teardown);
      const { server: s, client: c } = pair;
      const percent = 5;
      const baselineMs = 8000;
      const lossMs = 10_000;
      teardown.child(await server(pair, s, [s.v4, '8090', `source:${MBIT}`]));
      let undoLoss: (() => void) | undefined;
      const firing = await expectDetection(detector, rules, {
        scenario: 'retransmit-spike',
        rule: 'retransmit-spike',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { mbit: MBIT, lossPercent: percent, baselineSeconds: baselineMs / 1000, lossSeconds: lossMs / 1000 },
        trafficMs: baselineMs + lossMs,
        play: async () => {
          const download = attackTraffic(inHost(pair, c), ['download', s.v4, '8090', String(baselineMs + lossMs)], (ch) => teardown.child(ch));
          await new Promise((r) => setTimeout(r, baselineMs));
          const started = Date.now();
          undoLoss = randomLoss(pair, c, 8090, percent);
          const done = await download;
          expect(done.bytes).toBeGreaterThan(0);
          return { started };
        },
        afterTraffic: () => undoLoss?.(),
      });
      expect(firing.samples.some((e) => e.kind === 'retransmit' && e.lport === 8090)).toBe(true);
    },
    TIMEOUT,
  );
});
