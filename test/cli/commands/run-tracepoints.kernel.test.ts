/**
 * `tcpwarden run` attaches only the tracepoints its rules' kinds come from, and follows a rule
 * reload: real connections in the test's own namespaces, a real rule file rewritten while it runs.
 * With a rule on refused connects, sock:inet_sock_set_state and tcp:tcp_destroy_sock stay
 * detached, and the connections' state changes are not even seen by the kernel-side programs
 * (the per-tracepoint ledger in /metrics). A rule on state changes attaches inet_sock_set_state
 * and judges the connections that follow exactly; going back detaches it again.
 *
 * Split into roles around a real redis-server, an engine whose rule reads a kind its collector's
 * rules do not: the collector does not trace it, and the engine says so once, naming the rule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import { scenarioPair } from '../../support/attack-setup';
import { startCliUntil, type RunningCli } from '../../support/cli';
import { freePort } from '../../support/free-port';
import { describeKernel } from '../../support/kernel-access';
import { server as startServer, traffic } from '../../support/run-traffic';
import { Teardown } from '../../support/teardown';
import { startRedis } from '../../support/redis-server';
import { SHIPPED_RULES } from '../../support/scenario-detector';
import { startWebhookReceiver } from '../../support/webhook-receiver';

const PORT = 8080;
const TIMEOUT = 60_000;
const SET_STATE = 'sock:inet_sock_set_state';
const DESTROY = 'tcp:tcp_destroy_sock';

function refusedRule(netns: number): string {
  return `rules:
  - id: test-refused
    name: refused connects
    severity: info
    match:
      all:
        - { fact: netns, operator: equal, value: ${netns} }
        - { fact: kind, operator: equal, value: connect_refused }
    group_by: [netns]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1000 } ] }
    summary: "{{count}}"
`;
}

/** Fires on the third connection the server's side completes. */
function establishedRule(netns: number): string {
  return `rules:
  - id: test-established
    name: connections established
    severity: info
    match:
      all:
        - { fact: netns, operator: equal, value: ${netns} }
        - { fact: kind, operator: equal, value: state_change }
        - { fact: state, operator: equal, value: ESTABLISHED }
    group_by: [netns]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 3 } ] }
    summary: "{{count}} connections"
`;
}

/** tcpwarden_collector_records_total{tracepoint, outcome="seen"} from /metrics. */
async function seen(metricsPort: number, tracepoint: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const m = new RegExp(`^tcpwarden_collector_records_total\\{tracepoint="${tracepoint}",outcome="seen"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** The `tracepoints` of every log line `msg` the detector printed so far. */
function attachedLogs(run: RunningCli, msg: string): string[][] {
  return run
    .stderrSoFar()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; tracepoints?: string[] })
    .filter((l) => l.msg === msg)
    .map((l) => l.tracepoints ?? []);
}

describeKernel('tcpwarden run: the tracepoints follow the rules', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  test(
    'a tracepoint no rule reads stays detached; a reloaded rule attaches it and judges what follows',
    async () => {
      const pair = scenarioPair(teardown);
      const receiver = await startWebhookReceiver();
      teardown.add(() => receiver.stop());
      const dir = mkdtempSync(join(tmpdir(), 'tw-tracepoints-'));
      teardown.add(() => rmSync(dir, { recursive: true, force: true }));
      const netns = pair.server.inode;
      const rules = join(dir, 'rules.yaml');
      writeFileSync(rules, refusedRule(netns));
      const config = join(dir, 'config.yaml');
      writeFileSync(
        config,
        JSON.stringify({
          rules: [rules],
          collector: { netns },
          alerts: { sinks: [{ type: 'webhook', url: receiver.url, format: 'json' }], delivery: { stateDir: join(dir, 'state') } },
        }),
      );
      const server = await startServer(pair, pair.server, [pair.server.v4, String(PORT), 'echo']);
      teardown.add(() => void server.kill('SIGKILL'));
      const metricsPort = await freePort();
      const run = startCliUntil(teardown, ['run', '--config', config, '--metrics', `127.0.0.1:${metricsPort}`]);
      await run.stderrLine(/detector running/);
      /** The tracepoints of each change the rules made, once there are `n` (or 15 s passed). */
      const attachChanges = async (n: number) => {
        const changes = () => attachedLogs(run, 'collector attached the tracepoints the rules need');
        for (const end = Date.now() + 15_000; changes().length < n && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
        return changes();
      };
      const connect = async (n: number) => {
        for (let i = 0; i < n; i++) await traffic(pair, pair.client, ['hello', pair.server.v4, String(PORT)]);
      };

      const [atStart] = attachedLogs(run, 'collector attached');
      expect(atStart).toContain('tcp:tcp_send_reset');
      expect(atStart).toContain('tcp:tcp_receive_reset');
      expect(atStart).not.toContain(SET_STATE);
      expect(atStart).not.toContain(DESTROY);
      await connect(3);
      expect(await seen(metricsPort, SET_STATE)).toBe(0);
      expect(await seen(metricsPort, DESTROY)).toBe(0);

      // A rule on state changes: inet_sock_set_state is attached once the detector has the rule.
      writeFileSync(rules, establishedRule(netns));
      expect((await attachChanges(1))[0]).toContain(SET_STATE);
      await connect(3);
      let fired: Alert | undefined;
      for (const end = Date.now() + 15_000; !fired && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        fired = receiver.requests.map((r) => JSON.parse(r.body) as Alert).find((a) => a.rule.id === 'test-established' && a.status === 'firing');
      }
      // Each connection the server completed is one change to ESTABLISHED on its side.
      expect(fired?.aggregates.count).toBe(3);
      expect(await seen(metricsPort, SET_STATE)).toBeGreaterThan(0);

      // Back to the rule on refused connects: detached again, nothing more seen.
      writeFileSync(rules, refusedRule(netns));
      const changes = await attachChanges(2);
      expect(changes).toHaveLength(2);
      expect(changes[1]).not.toContain(SET_STATE);
      const before = await seen(metricsPort, SET_STATE);
      await connect(3);
      expect(await seen(metricsPort, SET_STATE)).toBe(before);
    },
    TIMEOUT,
  );

  test(
    'an engine rule reading a kind its collector does not trace is named once in a warning',
    async () => {
      const pair = scenarioPair(teardown);
      const redis = await startRedis();
      teardown.add(() => redis.stop());
      const dir = mkdtempSync(join(tmpdir(), 'tw-tracepoints-'));
      teardown.add(() => rmSync(dir, { recursive: true, force: true }));
      const netns = pair.server.inode;
      const rules = join(dir, 'established.yaml');
      writeFileSync(rules, establishedRule(netns));
      const server = await startServer(pair, pair.server, [pair.server.v4, String(PORT), 'echo']);
      teardown.add(() => void server.kill('SIGKILL'));
      const started = (args: string[]) => startCliUntil(teardown, args);
      const engine = started(['run', '--role', 'engine', '--redis', redis.url, '--rules', SHIPPED_RULES, '--rules', rules]);
      const config = join(dir, 'collector.yaml');
      writeFileSync(config, JSON.stringify({ rules: [SHIPPED_RULES], collector: { netns } }));
      const collector = started(['run', '--role', 'collector', '--redis', redis.url, '--config', config]);
      await Promise.all([engine.stderrLine(/detector running/), collector.stderrLine(/detector running/)]);
      expect(attachedLogs(collector, 'collector attached')[0]).not.toContain(SET_STATE);

      // Batches the collector sends say what it does not trace; refused connects make some, past
      // the engine's 3 s of grace after taking its rules.
      await new Promise((r) => setTimeout(r, 3000));
      for (const end = Date.now() + 20_000; !/rule test-established reads state_change/.test(engine.stderrSoFar()) && Date.now() < end; ) {
        await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '3']);
        await new Promise((r) => setTimeout(r, 500));
      }
      const warnings = engine.stderrSoFar().match(/rule test-established reads state_change, which a collector does not trace/g) ?? [];
      expect(warnings).toHaveLength(1);
      // The shipped rules read only kinds the collector traces.
      expect(engine.stderrSoFar()).not.toMatch(/rule (?!test-established)\S+ reads .*which a collector does not trace/);
    },
    TIMEOUT,
  );
});
