/**
 * Spoofed SYN floods (bench/gen/syn-flood.c) through `tcpwarden run` with the shipped rules, one
 * namespace pair and one detector per test, on the three targets of issue 13:
 *
 * - a listener with a backlog of 16 and SYN cookies on: syn-flood-cookies names it;
 * - the same listener with cookies off: the kernel drops what its full queue cannot take, which no
 *   tracepoint shows, and syn-flood-drops names it;
 * - a closed port at the generator's top rate, aggregation left to switch itself (`auto`, the
 *   default): refused-connections fires per source, the kernel aggregates while the flood lasts
 *   and stops once it is over.
 *
 * The shipped rules fire at the crossing, with the count so far. To check that every SYN was
 * counted, the detector also runs a rule of this test's own that counts the target's events in a
 * window longer than the flood and fires once a marker arrives after the flood's last counter
 * sample (one connect to a closed port of the victim, as `npm run bench -- flood` does): its
 * count is everything tcpwarden counted, plus the marker. Every SYN is accounted for: at a
 * listener it took a place in the queue or was a cookie / a drop; at the closed port it is one
 * reset, and the collector's ledger (/metrics) adds up, seen = delivered + aggregated + lost.
 *
 * The count rule matches the test's own namespace, and the collector watches only that namespace,
 * so no other traffic on the host (loopback tests beside this one) can enter a count.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetstat } from '../../../src/collector/netstat-counters';
import { emptyListenQueues, tallyListenQueues } from '../../../src/collector/proc-net-tcp';
import type { Alert } from '../../../src/interfaces/alert';
import { startCliUntil } from '../../support/cli';
import { freePort } from '../../support/free-port';
import { describeKernel } from '../../support/kernel-access';
import { server } from '../../support/run-traffic';
import { SHIPPED_RULES } from '../../support/scenario-detector';
import { setUpSpoofedFlood, type SpoofedFloodSetup } from '../../support/spoofed-flood';
import { Teardown } from '../../support/teardown';
import { startWebhookReceiver } from '../../support/webhook-receiver';

const LISTENER_PORT = 8443;
const CLOSED_PORT = 7;
const BACKLOG = 16;
/** Half-open requests a full queue holds: the kernel counts it full only past its backlog. */
const QUEUED = BACKLOG + 1;
const MARKER_PORT = 9;
/** Longer than the flood, the wait for its last sample and the marker's way. */
const COUNT_WINDOW = '30s';
/** Two sampling intervals (1 s, the default) and a judging tick: a counter sample since is in. */
const SAMPLED_MS = 2500;
const SEND_RESET = 'tcp:tcp_send_reset';
const TIMEOUT = 60_000;

type Received = Omit<Alert, 'window' | 'startsAt' | 'endsAt'>;

/** The test's count rule: `kind` events on `port` and the marker, in the namespace `netns` only. */
function countRule(netns: number, kind: string, port: number): string {
  return `rules:
  - id: test-flood-count
    name: the flood's events on the flooded port, judged once the marker arrives
    severity: info
    match:
      all:
        - { fact: netns, operator: equal, value: ${netns} }
        - { fact: kind, operator: in, value: ${JSON.stringify([...new Set([kind, 'connect_refused'])])} }
        - { fact: lport, operator: in, value: [${port}, ${MARKER_PORT}] }
    group_by: [netns]
    window: ${COUNT_WINDOW}
    when: { all: [ { fact: distinct.lport, operator: greaterThanInclusive, value: 2 } ] }
    cooldown: ${COUNT_WINDOW}
    summary: "{{count}} flood events and the marker"
`;
}

/** tcpwarden_collector_records_total and tcpwarden_collector_aggregating by tracepoint, from /metrics. */
interface Ledger {
  records: Map<string, Record<string, number>>;
  aggregating: Map<string, boolean>;
}

async function readLedger(port: number): Promise<Ledger> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const records = new Map<string, Record<string, number>>();
  const aggregating = new Map<string, boolean>();
  for (const m of text.matchAll(/^(tcpwarden_collector_(?:records_total|aggregating))\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (m[1] === 'tcpwarden_collector_aggregating') aggregating.set(labels.tracepoint, m[3] === '1');
    else records.set(labels.tracepoint, { ...records.get(labels.tracepoint), [labels.outcome]: Number(m[3]) });
  }
  return { records, aggregating };
}

describeKernel('tcpwarden run under spoofed SYN floods, with the shipped rules', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** A namespace pair with its spoofed prefix, and `tcpwarden run` watching its server namespace. */
  async function floodedDetector(kind: string, port: number) {
    const flood: SpoofedFloodSetup = setUpSpoofedFlood();
    teardown.add(() => flood.destroy());
    const { pair } = flood;
    const receiver = await startWebhookReceiver();
    teardown.add(() => receiver.stop());
    const dir = mkdtempSync(join(tmpdir(), 'tw-run-flood-'));
    teardown.add(() => rmSync(dir, { recursive: true, force: true }));
    const count = join(dir, 'count.yaml');
    writeFileSync(count, countRule(pair.server.inode, kind, port));
    const metricsPort = await freePort();
    // YAML is a superset of JSON.
    const config = {
      rules: [SHIPPED_RULES, count],
      collector: { netns: pair.server.inode },
      // Burst control lifted: every source's refused-connections goes out on its own, not 10 and a summary.
      alerts: { sinks: [{ type: 'webhook', url: receiver.url, format: 'json' }], delivery: { stateDir: join(dir, 'state') }, burst: { maxGroups: 1000 } },
    };
    writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config));
    const run = startCliUntil(teardown, ['run', '--config', join(dir, 'config.yaml'), '--metrics', `127.0.0.1:${metricsPort}`]);
    await run.stderrLine(/detector running/);

    const alerts = (): Received[] => receiver.requests.map((r) => JSON.parse(r.body) as Received);
    async function firing(rule: string): Promise<Received> {
      const until = Date.now() + 30_000;
      for (;;) {
        const hit = alerts().find((a) => a.status === 'firing' && a.rule.id === rule && a.group.netns === pair.server.inode);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`no ${rule} firing for netns ${pair.server.inode}; alerts: ${alerts().map((a) => `${a.rule.id} ${JSON.stringify(a.group)}`).join('; ') || 'none'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    /** One connect to a closed port of the victim, refused: the count rule's second port. */
    const marker = () => pair.exec(pair.client, 'bash', ['-c', `echo > /dev/tcp/${pair.server.v4}/${MARKER_PORT}; true`]);
    return { flood, pair, alerts, firing, marker, ledger: () => readLedger(metricsPort) };
  }

  /** Every tracepoint's records add up, and every aggregated packet was handed over. */
  function expectLedgerAddsUp(ledger: Ledger): void {
    expect(ledger.records.size).toBeGreaterThan(0);
    for (const [tracepoint, r] of ledger.records) {
      expect({ tracepoint, seen: r.seen }).toEqual({ tracepoint, seen: r.delivered + r.aggregated + r.lost });
      expect({ tracepoint, lost: r.lost }).toEqual({ tracepoint, lost: 0 });
    }
  }

  /** A listener with a backlog of 16 flooded for 1 s; the kernel's counters around the flood, and its queued requests. */
  async function floodListener(syncookies: 0 | 1, kind: string) {
    const d = await floodedDetector(kind, LISTENER_PORT);
    const { pair } = d;
    pair.exec(pair.server, 'sysctl', ['-qw', `net.ipv4.tcp_syncookies=${syncookies}`]);
    teardown.child(await server(pair, pair.server, [pair.server.v4, String(LISTENER_PORT), 'sink', String(BACKLOG)]));
    // The sampler's first read of the namespace, with the listener in it, is its baseline: the flood starts after it.
    await new Promise((r) => setTimeout(r, SAMPLED_MS));
    const counters = () => parseNetstat(pair.exec(pair.server, 'cat', ['/proc/net/netstat']));
    const before = counters();
    const sent = (await d.flood.flood(LISTENER_PORT, 1, 1000, 20000)).sent;
    const after = counters();
    const increase = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    // Every SYN either took a place in the queue (a request socket, SYN_RECV) or was answered with a cookie / dropped.
    const queues = emptyListenQueues();
    tallyListenQueues(pair.exec(pair.server, 'cat', ['/proc/net/tcp']), queues);
    const queued = [...queues.halfOpen.values()].reduce((a, b) => a + b, 0);
    await new Promise((r) => setTimeout(r, SAMPLED_MS));
    d.marker();
    return { ...d, sent, queued, increase };
  }

  test(
    'cookies on: syn-flood-cookies names the listener, and every SYN that got a cookie is counted on it',
    async () => {
      const { pair, sent, queued, increase, firing, alerts, ledger } = await floodListener(1, 'syncookies_sent');
      const cookies = increase('TcpExt.SyncookiesSent');
      expect(queued).toBe(QUEUED);
      expect(cookies).toBe(sent - queued);
      const alert = await firing('syn-flood-cookies');
      expect(alert.group).toEqual({ netns: pair.server.inode, host: alert.host, laddr: pair.server.v4, lport: LISTENER_PORT });
      expect(alert.aggregates.count).toBeGreaterThanOrEqual(200);
      expect(alert.aggregates.count).toBeLessThanOrEqual(cookies);
      expect((await firing('test-flood-count')).aggregates.count).toBe(sent - queued + 1);
      expect(alerts().filter((a) => a.rule.id === 'syn-flood-cookies-netns')).toEqual([]);
      expectLedgerAddsUp(await ledger());
    },
    TIMEOUT,
  );

  test(
    'cookies off, small backlog: syn-flood-drops names the listener, and every SYN it dropped is counted on it',
    async () => {
      const { pair, sent, queued, increase, firing, alerts, ledger } = await floodListener(0, 'syn_dropped');
      const drops = increase('TcpExt.ListenDrops');
      expect(queued).toBe(QUEUED);
      expect(drops).toBe(sent - queued);
      expect(increase('TcpExt.TCPReqQFullDrop')).toBe(drops);
      expect(increase('TcpExt.SyncookiesSent')).toBe(0);
      const alert = await firing('syn-flood-drops');
      expect(alert.group).toEqual({ netns: pair.server.inode, host: alert.host, laddr: pair.server.v4, lport: LISTENER_PORT });
      expect(alert.aggregates.count).toBeGreaterThanOrEqual(200);
      expect(alert.aggregates.count).toBeLessThanOrEqual(drops);
      expect((await firing('test-flood-count')).aggregates.count).toBe(sent - queued + 1);
      expect(alerts().filter((a) => a.rule.id === 'syn-flood-drops-netns')).toEqual([]);
      expectLedgerAddsUp(await ledger());
    },
    TIMEOUT,
  );

  test(
    'closed port at top rate: refused-connections fires per source, the kernel aggregates during the flood and stops after, and every reset is counted',
    async () => {
      const SOURCES = 64;
      const d = await floodedDetector('connect_refused', CLOSED_PORT);
      // Whether the kernel aggregated resets, sampled while the flood runs.
      const seenAggregating: boolean[] = [];
      let flooding = true;
      const sampling = (async () => {
        while (flooding) {
          seenAggregating.push((await d.ledger()).aggregating.get(SEND_RESET) === true);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const [result] = await Promise.all([d.flood.flood(CLOSED_PORT, 1, SOURCES, 0).finally(() => (flooding = false)), sampling]);
      expect(seenAggregating).toContain(true);
      // Off once the resets have stayed under half the threshold for the hold time (3 s by default).
      const until = Date.now() + 15_000;
      while ((await d.ledger()).aggregating.get(SEND_RESET) !== false) {
        if (Date.now() > until) throw new Error('aggregation of tcp_send_reset still on 15 s after the flood');
        await new Promise((r) => setTimeout(r, 100));
      }
      d.marker();

      const perSource = d.flood.perSource(result);
      const refusedAlerts = () => d.alerts().filter((a) => a.rule.id === 'refused-connections' && a.status === 'firing');
      // One alert per source: wait (with a deadline) for all of them to be delivered.
      for (const end = Date.now() + 30_000; refusedAlerts().length < SOURCES && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      const refused = refusedAlerts();
      expect(new Set(refused.map((a) => a.group.raddr))).toEqual(new Set(perSource.keys()));
      for (const a of refused) {
        expect(a.aggregates.count).toBeGreaterThanOrEqual(100);
        expect(a.aggregates.count).toBeLessThanOrEqual(perSource.get(String(a.group.raddr))!);
      }
      const count = await d.firing('test-flood-count');
      expect(count.aggregates.count).toBe(result.sent + 1);
      const ledger = await d.ledger();
      expectLedgerAddsUp(ledger);
      const resets = ledger.records.get(SEND_RESET)!;
      // The collector watches the victim's namespace alone: its resets are the flood's and the marker's.
      expect(resets.seen).toBe(result.sent + 1);
      expect(resets.aggregated).toBeGreaterThan(0);
      // The alert says how much of its count came in aggregates: all the kernel aggregated.
      expect(count.aggregated).toBe(resets.aggregated);
    },
    TIMEOUT,
  );
});
