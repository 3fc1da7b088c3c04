/**
 * The victim in a container-like namespace (owned by a process, unnamed, as a container
 * runtime makes them): a SYN flood against its listener must name that namespace's inode, as
 * /proc/PID/ns/net of a process inside shows it.
 */
import { statSync } from 'node:fs';
import { dropSynAcks, SYNACK_TAIL_MS } from '../support/attack-setup';
import { createContainerNetns } from '../support/container-netns';
import { startServer } from '../support/run-traffic';
import { describeScenarios } from '../support/scenario-suite';

/** SYNs a second against the container's listener, and for how long. */
const SYN_RATE = 100;
const SECONDS = 15;

const TIMEOUT = 180_000;

describeScenarios('scenarios: the victim in a container', {}, (suite) => {
  suite.scenario(
    'a SYN flood on a listener in the container: syn-flood names the container netns and its address',
    async (sc) => {
      const pair = sc.pair();
      const attacker = pair.client;
      const ctr = await createContainerNetns(pair, attacker, sc.teardown);
      const listener = sc.teardown.child(await startServer(ctr.spawn, [ctr.v4, '8080', 'sink', '4096']));
      // The victim's namespace as an operator looks it up: from a process inside it (nsenter execs the listener).
      const victim = statSync(`/proc/${listener.pid!}/ns/net`).ino;
      expect(victim).toBe(ctr.inode);
      const liftDrop = dropSynAcks(pair, attacker, 4);
      const firing = await sc.expectDetection({
        scenario: 'container-victim',
        rule: 'syn-flood',
        group: { netns: victim, laddr: ctr.v4, lport: 8080 },
        inodes: [ctr.inode, attacker.inode],
        intensity: { synPerSecond: SYN_RATE, seconds: SECONDS },
        trafficMs: SECONDS * 1000,
        play: () => sc.attack(pair, attacker, ['synflood', ctr.v4, '8080', String(SYN_RATE), String(SECONDS * 1000)]),
        afterTraffic: liftDrop,
        tailMs: SYNACK_TAIL_MS,
      });
      expect(firing.netns).toEqual([victim]);
      expect(firing.samples.every((e) => e.netns === victim && e.raddr === ctr.peerV4)).toBe(true);
    },
    TIMEOUT,
  );
});
