/**
 * The victim in a container-like namespace (owned by a process, unnamed, as a container
 * runtime makes them): a SYN flood against its listener must name that namespace's inode, as
 * /proc/PID/ns/net of a process inside shows it.
 */
import { statSync } from 'node:fs';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { dropSynAcks, scenarioPair, SYNACK_TAIL_MS } from '../support/attack-setup';
import { createContainerNetns } from '../support/container-netns';
import { describeKernel } from '../support/kernel-access';
import { attackTraffic, inHost, startServer } from '../support/run-traffic';
import { expectDetection, shippedRules, startScenarioDetector, type ScenarioDetector } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';

const TIMEOUT = 180_000;

describeKernel('scenarios: the victim in a container', () => {
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
    'a SYN flood on a listener in the container: syn-flood names the container netns and its address',
    async () => {
      const pair = scenarioPair(teardown);
      const attacker = pair.client;
      const ctr = await createContainerNetns(pair, attacker, teardown);
      const listener = teardown.child(await startServer(ctr.spawn, [ctr.v4, '8080', 'sink', '4096']));
      // The victim's namespace as an operator looks it up: from a process inside it (nsenter execs the listener).
      const victim = statSync(`/proc/${listener.pid!}/ns/net`).ino;
      expect(victim).toBe(ctr.inode);
      const rate = 50;
      const seconds = 15;
      const liftDrop = dropSynAcks(pair, attacker, 4);
      const firing = await expectDetection(detector, rules, {
        scenario: 'container-victim',
        rule: 'syn-flood',
        group: { netns: victim, laddr: ctr.v4, lport: 8080 },
        inodes: [ctr.inode, attacker.inode],
        intensity: { synPerSecond: rate, seconds },
        trafficMs: seconds * 1000,
        play: () => attackTraffic(inHost(pair, attacker), ['synflood', ctr.v4, '8080', String(rate), String(seconds * 1000)], (ch) => teardown.child(ch)),
        afterTraffic: liftDrop,
        tailMs: SYNACK_TAIL_MS,
      });
      expect(firing.netns).toEqual([victim]);
      expect(firing.samples.every((e) => e.netns === victim && e.raddr === ctr.peerV4)).toBe(true);
    },
    TIMEOUT,
  );
});
