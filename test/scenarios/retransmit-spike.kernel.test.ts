/**
 * A real retransmit spike judged by `tcpwarden run` with the shipped rules: a bulk download (paced
 * to 200 Mbit/s) runs clean for a baseline, then the receiver drops a few percent of the segments at random, so the
 * sender (the victim's namespace) retransmits to that peer.
 */
import { randomLoss } from '../support/attack-setup';
import { describeScenarios } from '../support/scenario-suite';

/** The transfer is paced like a link: unpaced over a veth it retransmits thousands of reordered segments a second with no loss. */
const MBIT = 200;
const LOSS_PERCENT = 5;
const BASELINE_MS = 8000;
const LOSS_MS = 10_000;

const TIMEOUT = 180_000;

describeScenarios('scenarios: retransmit spikes', { warmUp: true }, (suite) => {
  suite.scenario(
    '5% random loss on a bulk transfer after a clean baseline: retransmit-spike names the peer',
    async (sc) => {
      const pair = sc.pair();
      const { server: s, client: c } = pair;
      await sc.server(pair, s, [s.v4, '8090', `source:${MBIT}`]);
      let undoLoss: (() => void) | undefined;
      const firing = await sc.expectDetection({
        scenario: 'retransmit-spike',
        rule: 'retransmit-spike',
        group: { netns: s.inode, raddr: c.v4 },
        inodes: [s.inode, c.inode],
        intensity: { mbit: MBIT, lossPercent: LOSS_PERCENT, baselineSeconds: BASELINE_MS / 1000, lossSeconds: LOSS_MS / 1000 },
        trafficMs: BASELINE_MS + LOSS_MS,
        play: async () => {
          const download = sc.attack(pair, c, ['download', s.v4, '8090', String(BASELINE_MS + LOSS_MS)]);
          await new Promise((r) => setTimeout(r, BASELINE_MS));
          const started = Date.now();
          undoLoss = randomLoss(pair, c, 8090, LOSS_PERCENT);
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
