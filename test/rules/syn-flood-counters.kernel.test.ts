/**
 * The shipped SYN-flood counter rules on a real kernel, through `tcpwarden run` and a webhook:
 * spoofed SYNs (bench/gen/syn-flood.c) against a listener with a backlog of 16 in the test's own
 * namespace, (a) with SYN cookies on: syn-flood-cookies names the listener's address and port;
 * (b) with cookies off: the kernel drops the SYNs its full queue cannot take, which no tracepoint
 * shows, and syn-flood-drops names the listener.
 *
 * The shipped rules fire at the crossing, with the count so far. To check that every cookie or
 * drop was counted, and on the listener, the detector also runs a rule of this test's own that
 * counts the samples on the flooded port in a window longer than the flood, and fires once a
 * marker arrives after the flood's last sample (one connect to a closed port of the victim, as
 * `npm run bench -- flood` does): its count is everything tcpwarden put on the listener, plus
 * the marker, compared with the kernel's own counter read in the namespace before and after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetstat } from '../../src/collector/netstat-counters';
import { emptyListenQueues, tallyListenQueues } from '../../src/collector/proc-net-tcp';
import type { Alert } from '../../src/interfaces/alert';
import { routeSpoofedPrefix, scenarioPair } from '../support/attack-setup';
import { startCli, type RunningCli } from '../support/cli';
import { buildGenerator } from '../support/generators';
import { describeKernel } from '../support/kernel-access';
import type { NetnsPair } from '../support/netns';
import { server } from '../support/run-traffic';
import { SHIPPED_RULES } from '../support/scenario-detector';
import { Teardown } from '../support/teardown';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const PORT = 8443;
const BACKLOG = 16;
const MARKER_PORT = 9;
/** Longer than the flood, the wait for its last sample and the marker's way. */
const COUNT_WINDOW = '30s';
/** Two sampling intervals (1 s, the default) and a judging tick: a counter sample since is in. */
const SAMPLED_MS = 2500;
const TIMEOUT = 120_000;

const COUNT_RULE = `rules:
  - id: test-flood-count
    name: the flood's counter samples on the flooded port, judged once the marker arrives
    severity: info
    match:
      all:
        - { fact: kind, operator: in, value: [syncookies_sent, syn_dropped, connect_refused] }
        - { fact: lport, operator: in, value: [${PORT}, ${MARKER_PORT}] }
    group_by: [netns]
    window: ${COUNT_WINDOW}
    when: { all: [ { fact: distinct.lport, operator: greaterThanInclusive, value: 2 } ] }
    cooldown: ${COUNT_WINDOW}
    summary: "{{count}} samples and the marker"
`;

type Received = Omit<Alert, 'window' | 'startsAt' | 'endsAt'>;

describeKernel('shipped SYN-flood counter rules on a real kernel', () => {
  const teardown = new Teardown();
  const detector = new Teardown();
  let receiver: WebhookReceiver;
  let run: RunningCli;
  let gen: string;

  beforeAll(async () => {
    gen = buildGenerator('syn-flood');
    receiver = await startWebhookReceiver();
    detector.add(() => receiver.stop());
    const dir = mkdtempSync(join(tmpdir(), 'tw-counters-'));
    detector.add(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'count.yaml'), COUNT_RULE);
    run = startCli(['run', '--rules', SHIPPED_RULES, '--rules', join(dir, 'count.yaml'), '--webhook', receiver.url, '--state-dir', join(dir, 'state')]);
    detector.add(async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
      const killer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
      await run.done;
      clearTimeout(killer);
    });
    await run.stderrLine(/detector running/);
  }, 60_000);
  afterEach(() => teardown.run());
  afterAll(() => detector.run());

  const alerts = (): Received[] => receiver.requests.map((r) => JSON.parse(r.body) as Received);
  async function firing(rule: string, netns: number): Promise<Received> {
    const until = Date.now() + 30_000;
    for (;;) {
      const hit = alerts().find((a) => a.status === 'firing' && a.rule.id === rule && a.group.netns === netns);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`no ${rule} firing for netns ${netns}; alerts: ${alerts().map((a) => `${a.rule.id} ${JSON.stringify(a.group)}`).join('; ') || 'none'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const counters = (pair: NetnsPair) => parseNetstat(pair.exec(pair.server, 'cat', ['/proc/net/netstat']));
  const increase = (before: Map<string, number>, after: Map<string, number>, name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

  /** A flooded listener with `syncookies`; the flood's figures and the kernel's counters around it. */
  async function flood(syncookies: 0 | 1) {
    const pair = scenarioPair(teardown);
    const prefix = routeSpoofedPrefix(pair);
    pair.exec(pair.server, 'sysctl', ['-qw', `net.ipv4.tcp_syncookies=${syncookies}`]);
    teardown.child(await server(pair, pair.server, [pair.server.v4, String(PORT), 'sink', String(BACKLOG)]));
    // The server is the namespace's first process: the sampler's first read of the namespace is its
    // baseline, so the flood starts once that read is done.
    await new Promise((r) => setTimeout(r, SAMPLED_MS));
    const before = counters(pair);
    const out = pair.exec(pair.client, gen, [pair.server.v4, String(PORT), '1', prefix, '1000', '5000']);
    const sent = (JSON.parse(out) as { sent: number }).sent;
    const after = counters(pair);
    // Every SYN either took a place in the queue (a request socket, SYN_RECV) or was answered with a cookie / dropped.
    const queues = emptyListenQueues();
    tallyListenQueues(pair.exec(pair.server, 'cat', ['/proc/net/tcp']), queues);
    const queued = [...queues.halfOpen.values()].reduce((a, b) => a + b, 0);
    await new Promise((r) => setTimeout(r, SAMPLED_MS));
    pair.exec(pair.client, 'bash', ['-c', `echo > /dev/tcp/${pair.server.v4}/${MARKER_PORT}; true`]); // refused
    return { pair, sent, queued, before, after };
  }

  test(
    'cookies on: syn-flood-cookies names the listener, and every cookie is counted on it',
    async () => {
      const { pair, sent, queued, before, after } = await flood(1);
      const cookies = increase(before, after, 'TcpExt.SyncookiesSent');
      expect(cookies).toBe(sent - queued);
      const alert = await firing('syn-flood-cookies', pair.server.inode);
      expect(alert.group).toEqual({ netns: pair.server.inode, host: alert.host, laddr: pair.server.v4, lport: PORT });
      expect(alert.aggregates.count).toBeGreaterThanOrEqual(200);
      expect(alert.aggregates.count).toBeLessThanOrEqual(cookies);
      expect((await firing('test-flood-count', pair.server.inode)).aggregates.count).toBe(cookies + 1);
      expect(alerts().filter((a) => a.rule.id === 'syn-flood-cookies-netns' && a.group.netns === pair.server.inode)).toEqual([]);
    },
    TIMEOUT,
  );

  test(
    'cookies off, small backlog: syn-flood-drops names the listener, and every drop the kernel counted is counted on it',
    async () => {
      const { pair, sent, queued, before, after } = await flood(0);
      const drops = increase(before, after, 'TcpExt.ListenDrops');
      expect(increase(before, after, 'TcpExt.TCPReqQFullDrop')).toBe(drops);
      expect(drops).toBe(sent - queued);
      expect(increase(before, after, 'TcpExt.SyncookiesSent')).toBe(0);
      const alert = await firing('syn-flood-drops', pair.server.inode);
      expect(alert.group).toEqual({ netns: pair.server.inode, host: alert.host, laddr: pair.server.v4, lport: PORT });
      expect(alert.aggregates.count).toBeGreaterThanOrEqual(200);
      expect(alert.aggregates.count).toBeLessThanOrEqual(drops);
      expect((await firing('test-flood-count', pair.server.inode)).aggregates.count).toBe(drops + 1);
    },
    TIMEOUT,
  );
});
