/**
 * Sensitivity ladder (issue item 5), only with TCPWARDEN_SCENARIO_LADDER=1 (it takes about twenty
 * minutes): for each shipped rule, real attacks of rising intensity, each in fresh namespaces (a
 * new group, so no cooldown or baseline carries over), until one is detected within 3 s of its
 * first packet. Prints a table of every step and the smallest intensity detected within 3 s, and
 * records each step in $TCPWARDEN_SCENARIO_REPORT. It asserts only that the strongest step of
 * each ladder is detected at all.
 */
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { addSourceAddresses, dropSynAcks, randomLoss, scenarioPair } from '../support/attack-setup';
import { describeKernel } from '../support/kernel-access';
import type { NetnsPair } from '../support/netns';
import { attackTraffic, inHost, server, traffic } from '../support/run-traffic';
import { playUntilFiring, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { reportScenario } from '../support/scenario-report';
import { Teardown } from '../support/teardown';

const TARGET_MS = 3000;
/** How long each step's traffic lasts. */
const STEP_MS = 8000;

interface Ladder {
  rule: string;
  unit: string;
  steps: number[];
  group(pair: NetnsPair): Record<string, string | number>;
  /** Starts what the step needs (listeners, firewall rules) and returns the step's traffic. */
  prepare(pair: NetnsPair, step: number, teardown: Teardown): Promise<() => Promise<{ started: number }>>;
}

const ladders: Ladder[] = [
  {
    rule: 'syn-flood',
    unit: 'SYN/s',
    steps: [5, 10, 20, 50, 100, 200, 400],
    group: (p) => ({ netns: p.server.inode, laddr: p.server.v4, lport: 8080 }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'sink', '4096']));
      dropSynAcks(pair, c, 4);
      return () => attackTraffic(inHost(pair, c), ['synflood', s.v4, '8080', String(rate), String(STEP_MS)], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'syn-flood-cookies',
    unit: 'SYN/s (backlog 16)',
    steps: [20, 50, 100, 200, 500, 1000],
    group: (p) => ({ netns: p.server.inode }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'sink', '16']));
      dropSynAcks(pair, c, 4);
      return () => attackTraffic(inHost(pair, c), ['synflood', s.v4, '8080', String(rate), String(STEP_MS)], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'syn-flood',
    unit: 'SYN/s from 40 sources',
    steps: [10, 20, 50, 100, 200, 400],
    group: (p) => ({ netns: p.server.inode, laddr: p.server.v4, lport: 8080 }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'sink', '4096']));
      const sources = addSourceAddresses(pair, c, 40);
      dropSynAcks(pair, c, 4);
      return () => attackTraffic(inHost(pair, c), ['synflood', s.v4, '8080', String(rate), String(STEP_MS), sources.join(',')], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'rst-burst',
    unit: 'resets/s received',
    steps: [10, 20, 50, 100, 200, 400, 800],
    group: (p) => ({ netns: p.server.inode, raddr: p.client.v4 }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'sink']));
      return () => attackTraffic(inHost(pair, c), ['churn', s.v4, '8080', String(rate), String(STEP_MS), 'linger0'], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'rst-burst',
    unit: 'resets/s sent',
    steps: [10, 20, 50, 100, 200, 400, 800],
    group: (p) => ({ netns: p.server.inode, raddr: p.client.v4 }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8080', 'reset']));
      return () => attackTraffic(inHost(pair, c), ['churn', s.v4, '8080', String(rate), String(STEP_MS), 'wait'], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'refused-connections',
    unit: 'refused/s on one port',
    steps: [2, 5, 10, 20, 50, 100],
    group: (p) => ({ netns: p.server.inode, raddr: p.client.v4 }),
    async prepare(pair, rate, teardown) {
      const { server: s, client: c } = pair;
      return () => attackTraffic(inHost(pair, c), ['refuse', s.v4, '9', String(rate), String(STEP_MS)], (ch) => teardown.child(ch));
    },
  },
  {
    rule: 'port-scan',
    unit: 'closed ports (one burst)',
    steps: [10, 20, 40, 100],
    group: (p) => ({ netns: p.server.inode, raddr: p.client.v4 }),
    async prepare(pair, ports) {
      const { server: s, client: c } = pair;
      return async () => {
        const started = Date.now();
        await traffic(pair, c, ['scan', s.v4, '2000', String(2000 + ports - 1)]);
        return { started };
      };
    },
  },
  {
    rule: 'retransmit-spike',
    unit: '% loss on a bulk transfer',
    steps: [0.5, 1, 2, 5],
    group: (p) => ({ netns: p.server.inode, raddr: p.client.v4 }),
    async prepare(pair, percent, teardown) {
      const { server: s, client: c } = pair;
      teardown.child(await server(pair, s, [s.v4, '8090', 'source:200']));
      return async () => {
        randomLoss(pair, c, 8090, percent);
        const r = await attackTraffic(inHost(pair, c), ['download', s.v4, '8090', String(STEP_MS)], (ch) => teardown.child(ch));
        return { started: r.started };
      };
    },
  },
];

const enabled = process.env.TCPWARDEN_SCENARIO_LADDER === '1';
const describeLadder: jest.Describe = enabled
  ? describeKernel
  : ((name: string, fn: () => void) => {
      // An opt-in heavier variant (its lighter form is the scenarios themselves): one visible line.
      console.warn(`SKIPPED "${name}": set TCPWARDEN_SCENARIO_LADDER=1 to run it (about twenty minutes)`);
      describe.skip(`${name} [SKIPPED: set TCPWARDEN_SCENARIO_LADDER=1 to run it (about twenty minutes)]`, fn);
    }) as jest.Describe;

describeLadder('scenarios: sensitivity ladder', () => {
  let detector: ScenarioDetector;
  let rules: Map<string, CompiledRule>;
  /** A step's children and firewall rules; the step's namespaces outlive it (see `namespaces`). */
  const teardown = new Teardown();
  /**
   * The ladder's namespaces, deleted when the ladder ends: a deleted namespace's inode is reused,
   * and a group keyed by netns alone (syn-flood-cookies) would be the previous step's, still in
   * its cooldown.
   */
  const namespaces = new Teardown();
  const table: string[] = [];
  beforeAll(async () => {
    rules = await shippedRules();
    detector = await startScenarioDetector({ warmUp: true });
  }, 60_000);
  afterEach(async () => {
    await teardown.run();
    await namespaces.run();
  });
  afterAll(async () => {
    process.stdout.write(`\nsensitivity ladder (detected within ${TARGET_MS / 1000} s of the first packet, ${STEP_MS / 1000} s steps):\n${table.join('\n')}\n`);
    await detector?.stop();
  });

  test.each(ladders.map((l) => [`${l.rule} by ${l.unit}`, l] as const))(
    '%s',
    async (_name, ladder) => {
      const rule = rules.get(ladder.rule)!;
      const rows: string[] = [];
      let smallest: number | undefined;
      let smallestAtAll: number | undefined;
      let strongestDetected = false;
      for (const step of ladder.steps) {
        const pair = scenarioPair(namespaces);
        const play = await ladder.prepare(pair, step, teardown);
        const { firing, started } = await playUntilFiring(detector, { rule: ladder.rule, group: ladder.group(pair), play }, STEP_MS + rule.windowMs + 5000);
        const detectedMs = firing ? firing.at - started : null;
        reportScenario({ scenario: `ladder ${ladder.rule} ${ladder.unit}`, kind: 'ladder', rule: ladder.rule, intensity: { [ladder.unit]: step }, detectedMs });
        rows.push(`  ${ladder.rule.padEnd(20)} ${String(step).padStart(6)} ${ladder.unit.padEnd(26)} ${detectedMs === null ? 'not detected' : `${(detectedMs / 1000).toFixed(2)} s`}`);
        await teardown.run();
        if (step === ladder.steps[ladder.steps.length - 1]) strongestDetected = detectedMs !== null;
        if (detectedMs !== null) smallestAtAll ??= step;
        if (detectedMs !== null && detectedMs <= TARGET_MS) {
          smallest = step;
          strongestDetected = true;
          break;
        }
      }
      const within = smallest === undefined ? `nothing detected within ${TARGET_MS / 1000} s` : `smallest intensity detected within ${TARGET_MS / 1000} s: ${smallest}`;
      rows.push(`  => ${ladder.rule} by ${ladder.unit}: ${within}; smallest detected at all: ${smallestAtAll ?? 'none'}`);
      table.push(...rows);
      expect(strongestDetected).toBe(true);
    },
    30 * 60_000,
  );
});
