/**
 * `tcpwarden run` as a child process against real traffic between test namespaces and a real
 * local webhook receiver.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import { runCliProcess, startCli } from '../../support/cli';
import { loadedPrograms, programsBackTo, TCPWARDEN_PROGRAMS } from '../../support/bpf-programs';
import { freePort } from '../../support/free-port';
import { describeKernel } from '../../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../../support/netns';
import { traffic } from '../../support/run-traffic';
import { roomInWindow } from '../../support/window-boundary';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

/** Parses Prometheus text into `name{labels}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

describe('tcpwarden run: mistakes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-run-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a broken rule file: exit 2 with file:line:column, nothing started', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rules:\n  - id: x\n    window: 10 parsecs\n');
    const r = await runCliProcess(['run', '--rules', file, '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:`);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('a broken config file: exit 2 with every error at file:line:column', async () => {
    const file = join(dir, 'tcpwarden.yaml');
    writeFileSync(file, 'role: boss\nengine:\n  lateness: soon\n');
    const r = await runCliProcess(['run', '--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${file}:1:7: error schema.value: 'role' cannot be "boss" (accepted: all, collector, engine)`);
    expect(lines.some((l) => l.startsWith(`${file}:3:13: error `))).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a config file that is an alias bomb: exit 2, one line at file:line:column', async () => {
    const file = join(__dirname, '../../config/broken/alias-bomb.yaml');
    const r = await runCliProcess(['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tcpwarden run: \S+alias-bomb\.yaml:4:10: error yaml\.aliases: /)]);
  });

  test('a --redis URL with a bad % escape: exit 2, one line with the password masked', async () => {
    const r = await runCliProcess(['run', '--role', 'engine', '--redis', 'redis://:hunter2%zz@127.0.0.1:6379', '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "tcpwarden run: invalid Redis URL 'redis://:***@127.0.0.1:6379': the password has a '%' escape that does not decode (write '%25' for a '%') (expected redis://[[user]:password@]host[:port][/db] or rediss://...)",
    );
  });

  test('a role that needs Redis without one: exit 2, says what to give', async () => {
    const r = await runCliProcess(['run', '--role', 'engine']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("tcpwarden run: role 'engine' exchanges events through Redis: give a Redis URL (--redis redis://HOST:PORT)");
  });

  test('an unreachable Redis: one line naming the URL with the password masked, and the process ends', async () => {
    const port = await freePort();
    const r = await runCliProcess(['run', '--role', 'engine', '--redis', `redis://:hunter2@127.0.0.1:${port}`, '--state-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`tcpwarden run: cannot reach Redis at redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  test('an unknown role', async () => {
    const r = await runCliProcess(['run', '--role', 'boss']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--role 'boss' is not one of all, collector, engine/);
  });
});

describeKernel('tcpwarden run: attacks, alerts, reloads, clean stops', () => {
  let pair: NetnsPair;
  let receiver: WebhookReceiver;
  let dir: string;
  beforeAll(async () => {
    pair = createNetnsPair();
    receiver = await startWebhookReceiver();
    dir = mkdtempSync(join(tmpdir(), 'tw-run-'));
  });
  afterAll(async () => {
    pair?.destroy();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('refused connections from a peer fire refused-connections on stdout and the webhook; SIGTERM leaves nothing attached', async () => {
    const before = loadedPrograms();
    const metricsPort = await freePort();
    const run = startCli(['run', '--webhook', receiver.url, '--json', '--state-dir', dir, '--metrics', `127.0.0.1:${metricsPort}`, '--log-level', 'info']);
    await run.stderrLine(/detector running/);
    expect(loadedPrograms()).toBe(before + TCPWARDEN_PROGRAMS.size);

    await roomInWindow(3000);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '150']);
    await receiver.waitForRequests(1, 30000);

    const body = JSON.parse(receiver.requests[0].body) as { status: string; rule: { id: string }; group: Record<string, unknown> };
    expect(body).toMatchObject({ status: 'firing', rule: { id: 'refused-connections' }, group: { raddr: pair.client.v4, netns: pair.server.inode } });

    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const metrics = parseMetrics(await scrape.text());
    expect(metrics.get('tcpwarden_events_total{kind="connect_refused"}')).toBeGreaterThanOrEqual(150);
    expect(metrics.get('tcpwarden_alerts_total{rule="refused-connections",severity="medium",status="firing"}') ?? metrics.get('tcpwarden_alerts_total{rule="refused-connections",severity="high",status="firing"}')).toBe(1);
    expect([...metrics].find(([k]) => k.startsWith('tcpwarden_webhook_deliveries_total{') && k.includes('outcome="delivered"'))?.[1]).toBe(1);
    // Without Redis the one process owns the one partition, judged from the start.
    expect(metrics.get('tcpwarden_partitions{state="judged"}')).toBe(1);
    expect(metrics.get('tcpwarden_partitions{state="waiting"}')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);

    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    const printed = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Alert);
    expect(printed.filter((a) => a.rule.id === 'refused-connections' && a.status === 'firing')).toHaveLength(1);
    expect(await programsBackTo(before)).toBe(before);
  }, 60000);

  test('SIGTERM while an alert waits for a retry: the stop delivers it before exiting', async () => {
    const seen = receiver.requests.length;
    receiver.script(503); // the first attempt fails: the alert waits in the retry queue
    const run = startCli(['run', '--webhook', receiver.url, '--state-dir', dir]);
    await run.stderrLine(/detector running/);
    await roomInWindow(3000);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '150']);
    await receiver.waitForRequests(seen + 1, 20000);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    const attempts = receiver.requests.slice(seen);
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    expect((await runCliProcess(['alerts', 'failed', '--state-dir', dir])).stdout).not.toMatch(/refused-connections/);
  }, 60000);

  test('SIGHUP re-reads the config: a broken rules change is rejected; good rules and a new sink format apply without a restart', async () => {
    const rules = join(dir, 'rules.yaml');
    const seen = receiver.requests.length;
    const rule = (threshold: number) =>
      `rules:\n  - id: refused\n    name: refused\n    description: d\n    severity: high\n    match: { all: [ { fact: kind, operator: equal, value: connect_refused }, { fact: direction, operator: equal, value: inbound } ] }\n    group_by: [raddr]\n    window: 10s\n    when: { all: [ { fact: count, operator: greaterThanInclusive, value: ${threshold} } ] }\n    summary: "{{raddr}} refused {{count}} times"\n`;
    writeFileSync(rules, rule(1000));
    const config = join(dir, 'tcpwarden.yaml');
    writeFileSync(
      config,
      `rules: [rules.yaml]\nalerts:\n  sinks:\n    - { type: webhook, url: "${receiver.url}", format: alertmanager }\n  delivery: { stateDir: ${dir} }\nlogging: { level: info, format: json }\n`,
    );
    const run = startCli(['run', '--config', config]);
    await run.stderrLine(/detector running/);

    writeFileSync(rules, rule(1000).replace('window: 10s', 'window: whenever'));
    run.child.kill('SIGHUP');
    await run.stderrLine(/rule reload rejected/);

    writeFileSync(rules, rule(20));
    writeFileSync(config, readFileSync(config, 'utf8').replace('format: alertmanager', 'format: slack'));
    run.child.kill('SIGHUP');
    await run.stderrLine(/sinks replaced/);

    await roomInWindow(3000);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '30']);
    await receiver.waitForRequests(seen + 1, 20000);
    const body = JSON.parse(receiver.requests[seen].body) as { text: string };
    expect(body.text).toMatch(/refused/);
    expect(body.text).toContain(`${pair.client.v4} refused 30 times`);

    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  }, 60000);
});

describeKernel('tcpwarden run: collector and engine roles through Redis', () => {
  let pair: NetnsPair;
  let receiver: WebhookReceiver;
  let redis: TestRedis;
  let dir: string;
  beforeAll(async () => {
    pair = createNetnsPair();
    receiver = await startWebhookReceiver();
    redis = await startRedis({ password: 's3cret-pw' });
    dir = mkdtempSync(join(tmpdir(), 'tw-roles-'));
  });
  afterAll(async () => {
    pair?.destroy();
    await receiver?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a collector feeds an unprivileged-role engine through Redis; the engine alerts on the webhook', async () => {
    const engine = startCli(['run', '--role', 'engine', '--redis', redis.url, '--webhook', receiver.url, '--state-dir', dir]);
    const collector = startCli(['run', '--role', 'collector', '--redis', redis.url]);
    await Promise.all([engine.stderrLine(/detector running/), collector.stderrLine(/detector running/)]);

    await roomInWindow(3000);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '150']);
    await receiver.waitForRequests(1, 25000);
    const body = JSON.parse(receiver.requests[0].body) as { rule: { id: string }; group: Record<string, unknown> };
    expect(body).toMatchObject({ rule: { id: 'refused-connections' }, group: { raddr: pair.client.v4 } });

    collector.child.kill('SIGTERM');
    engine.child.kill('SIGTERM');
    const [c, e] = await Promise.all([collector.done, engine.done]);
    expect([c.code, e.code]).toEqual([0, 0]);
    // The password is never printed.
    expect(c.stderr + e.stderr + c.stdout + e.stdout).not.toContain('s3cret-pw');
  }, 60000);

  test("a collector's ring buffer overflow reaches the engine as an event-loss alert", async () => {
    const config = join(dir, 'tiny-ring.yaml');
    // A 4 KiB ring (42 records) read every 10 ms overflows under a burst of refused connects.
    writeFileSync(config, `role: collector\nredis: { url: "${redis.url.replace('s3cret-pw', '')}", password: { env: TW_TEST_REDIS_PASSWORD } }\ncollector: { ringBytes: 4096 }\n`);
    const seen = receiver.requests.length;
    const engine = startCli(['run', '--role', 'engine', '--redis', redis.url, '--webhook', receiver.url, '--state-dir', dir]);
    const collector = startCli(['run', '--config', config], { env: { ...process.env, TW_TEST_REDIS_PASSWORD: 's3cret-pw' } });
    await Promise.all([engine.stderrLine(/detector running/), collector.stderrLine(/detector running/)]);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '300']);
    await collector.stderrLine(/ring buffer overflowed/);
    // refused-connections may arrive first: wait for the event-loss alert itself.
    type Body = { rule: { id: string }; aggregates: Record<string, number> };
    const loss = await receiver.waitForRequest((r) => (JSON.parse(r.body) as Body).rule.id === 'event-loss', 30000, seen);
    expect((JSON.parse(loss.body) as Body).aggregates['lost.collector']).toBeGreaterThan(0);
    collector.child.kill('SIGTERM');
    engine.child.kill('SIGTERM');
    expect((await Promise.all([collector.done, engine.done])).map((r) => r.code)).toEqual([0, 0]);
  }, 60000);
});
