/**
 * In-kernel aggregation through Redis: `tcpwarden run --role collector` and `--role engine` as
 * child processes around a real redis-server, under a spoofed SYN flood to a closed port in the
 * test's own namespaces, aggregation forced on. The collector loads the rules as the engine does,
 * so its aggregates keep only the fields they need: the flood's random source ports are left out,
 * and the engine gets one queue event per source and time slice, not one per SYN (before the
 * collector role loaded rules, it kept every field: one aggregate per packet). The count stays
 * exact: a rule of the test's own counts the target's events in a window longer than the flood
 * and fires once a marker (one refused connect after the flood) arrives, with the flood's count
 * plus the marker.
 *
 * And when the engine's rules are newer than the collector's (a rule grouped by the peer's port,
 * which the collector's aggregates leave out): the rule skips those aggregates, the engine counts
 * them in tcpwarden_aggregated_events_skipped_total and warns once, until the collector's rule
 * file changes and the collector, following it, keeps the port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import { startCliUntil, type RunningCli } from '../../support/cli';
import { freePort } from '../../support/free-port';
import { describeKernel } from '../../support/kernel-access';
import { startRedis } from '../../support/redis-server';
import { SHIPPED_RULES } from '../../support/scenario-detector';
import { setUpSpoofedFlood } from '../../support/spoofed-flood';
import { Teardown } from '../../support/teardown';
import { startWebhookReceiver } from '../../support/webhook-receiver';

const CLOSED_PORT = 7;
const MARKER_PORT = 9;
const SOURCES = 64;
const TIMEOUT = 60_000;

/** The flood's refused connects and the marker in the namespace `netns`, judged once the marker arrives. */
function countRule(netns: number): string {
  return `rules:
  - id: test-flood-count
    name: the flood's refused connects and the marker
    severity: info
    match:
      all:
        - { fact: netns, operator: equal, value: ${netns} }
        - { fact: kind, operator: equal, value: connect_refused }
        - { fact: lport, operator: in, value: [${CLOSED_PORT}, ${MARKER_PORT}] }
    group_by: [netns]
    window: 30s
    when: { all: [ { fact: distinct.lport, operator: greaterThanInclusive, value: 2 } ] }
    cooldown: 30s
    summary: "{{count}} flood events and the marker"
`;
}

/** The sum of a counter's series whose labels contain `labels` (all of them when empty), from /metrics. */
async function counter(metricsPort: number, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const lines = [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))];
  return lines.filter((m) => m[1].includes(labels)).reduce((n, m) => n + Number(m[2]), 0);
}

/** The events the engine took off the queue (an aggregate is one). */
const queueEvents = (metricsPort: number) => counter(metricsPort, 'tcpwarden_events_total');

/** A rule `id` on the flood's connects grouped by the peer's port, which the shipped rules never use (it never fires). */
function byPortRule(id: string, netns: number): string {
  return `rules:
  - id: ${id}
    name: the flood's connects per source port
    severity: info
    match:
      all:
        - { fact: netns, operator: equal, value: ${netns} }
        - { fact: kind, operator: equal, value: connect_refused }
    group_by: [rport]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1000000000 } ] }
    summary: "{{count}}"
`;
}

describeKernel('tcpwarden run, collector and engine roles through Redis, under a spoofed flood', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** Starts `args` as a child that teardown stops (SIGTERM, then SIGKILL). */
  function started(args: string[]): RunningCli {
    return startCliUntil(teardown, args);
  }

  /** Redis, a webhook receiver, a namespace pair with its spoofed prefix, and a directory: torn down after the test. */
  async function setUp() {
    const flood = setUpSpoofedFlood();
    teardown.add(() => flood.destroy());
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const receiver = await startWebhookReceiver();
    teardown.add(() => receiver.stop());
    const dir = mkdtempSync(join(tmpdir(), 'tw-roles-agg-'));
    teardown.add(() => rmSync(dir, { recursive: true, force: true }));
    return { flood, pair: flood.pair, redis, receiver, dir };
  }

  test(
    'the collector keys its aggregates for the rules: the engine gets far fewer queue events than SYNs, and the count is exact',
    async () => {
      const { flood, pair, redis, receiver, dir } = await setUp();
      const count = join(dir, 'count.yaml');
      writeFileSync(count, countRule(pair.server.inode));
      // YAML is a superset of JSON. The collector role leaves out `alerts`.
      const config = join(dir, 'config.yaml');
      writeFileSync(
        config,
        JSON.stringify({
          rules: [SHIPPED_RULES, count],
          collector: { netns: pair.server.inode, aggregate: 'on' },
          alerts: { sinks: [{ type: 'webhook', url: receiver.url, format: 'json' }], delivery: { stateDir: join(dir, 'state') }, burst: { maxGroups: 1000 } },
        }),
      );
      const metricsPort = await freePort();
      const engine = started(['run', '--role', 'engine', '--redis', redis.url, '--config', config, '--metrics', `127.0.0.1:${metricsPort}`]);
      const collector = started(['run', '--role', 'collector', '--redis', redis.url, '--config', config]);
      await Promise.all([engine.stderrLine(/detector running/), collector.stderrLine(/detector running/)]);

      const result = await flood.flood(CLOSED_PORT, 1, SOURCES, 0);
      // The last slice's aggregates drained and through the queue before the marker.
      await new Promise((r) => setTimeout(r, 1500));
      pair.exec(pair.client, 'bash', ['-c', `echo > /dev/tcp/${pair.server.v4}/${MARKER_PORT}; true`]);

      const alerts = (): Alert[] => receiver.requests.map((r) => JSON.parse(r.body) as Alert);
      let counted: Alert | undefined;
      for (const end = Date.now() + 30_000; !counted && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        counted = alerts().find((a) => a.rule.id === 'test-flood-count' && a.status === 'firing');
      }
      expect(counted?.aggregates.count).toBe(result.sent + 1);
      const received = await queueEvents(metricsPort);
      // The rules' window slices (1 s and 3 s) take the tick's 250 ms as the aggregation slice.
      expect(collector.stderrSoFar()).toMatch(/"aggregateSliceMs":250,.*collector attached/);
      // Per source and 250 ms slice one aggregate of each kind (the reset and the refused
      // connect): a flood of a second or a little more touches at most 6 slices, where 100 ms
      // slices gave 1,410 events here (64 sources).
      expect(result.sent).toBeGreaterThan(20_000);
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThanOrEqual(SOURCES * 2 * 6 + 2); // and the marker's two events
      // Engine and collector run the same rules: no aggregate lacks a field a rule needs.
      expect(engine.stderrSoFar()).not.toMatch(/aggregated away/);
    },
    TIMEOUT,
  );

  test(
    'an engine rule that needs a field the collector aggregated away skips those aggregates (counted, warned once) until the collector reloads its rules',
    async () => {
      const { flood, pair, redis, dir } = await setUp();
      const netns = pair.server.inode;
      // The engine runs the by-port rule from the start; the collector gets it by a reload, its
      // file holding a rule on fields the aggregates keep anyway until then.
      const engineRule = join(dir, 'engine-by-port.yaml');
      writeFileSync(engineRule, byPortRule('test-by-port', netns));
      const collectorRule = join(dir, 'collector-extra.yaml');
      writeFileSync(collectorRule, byPortRule('test-by-port', netns).replace('group_by: [rport]', 'group_by: [raddr]'));
      const metricsPort = await freePort();
      const engine = started(['run', '--role', 'engine', '--redis', redis.url, '--rules', SHIPPED_RULES, '--rules', engineRule, '--metrics', `127.0.0.1:${metricsPort}`]);
      const config = join(dir, 'collector.yaml');
      writeFileSync(config, JSON.stringify({ rules: [SHIPPED_RULES, collectorRule], collector: { netns, aggregate: 'on' } }));
      const collector = started(['run', '--role', 'collector', '--redis', redis.url, '--config', config]);
      await Promise.all([engine.stderrLine(/detector running/), collector.stderrLine(/detector running/)]);
      const skipped = () => counter(metricsPort, 'tcpwarden_aggregated_events_skipped_total', 'rule="test-by-port",field="rport"');

      const first = await flood.flood(7, 0.5, 16, 20_000);
      for (const end = Date.now() + 10_000; (await skipped()) < first.sent && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      // Every connect of the flood came aggregated (forced on), and none reached the rule.
      expect(await skipped()).toBe(first.sent);
      await flood.flood(7, 0.5, 16, 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(engine.stderrSoFar().match(/the collector aggregated away field rport that rule test-by-port needs/g)).toHaveLength(1);

      // The collector follows its rule file: from the reload on (and the 1 s the old keys may still come), aggregates keep rport.
      writeFileSync(collectorRule, byPortRule('test-by-port', netns));
      await collector.stderrLine(/rules reloaded/);
      await new Promise((r) => setTimeout(r, 2000));
      const before = await skipped();
      const received = await queueEvents(metricsPort);
      const third = await flood.flood(7, 0.5, 16, 20_000);
      for (const end = Date.now() + 10_000; (await queueEvents(metricsPort)) - received < third.sent && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
      expect(await skipped()).toBe(before);
      // One aggregate per SYN now, each with its own source port: the rule can tell them apart.
      expect((await queueEvents(metricsPort)) - received).toBeGreaterThanOrEqual(third.sent);
    },
    TIMEOUT,
  );
});
