/**
 * `tcpwarden run --role engine` as a child process with a real redis-server and a real webhook
 * receiver: it stops within its deadline whatever Redis and the receiver do (Redis killed
 * mid-run, a receiver that never answers, Redis hung at start), says in its last line what it
 * left, and reports a Redis outage once, at a slowing rate, in /readyz and in a gauge. (Roles
 * that need the kernel: run-stop.kernel.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TcpEvent } from '../../../src/interfaces/tcp-event';
import { BullmqProducer } from '../../../src/queue/bullmq-producer';
import { startCli } from '../../support/cli';
import { freePort } from '../../support/free-port';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startSilentServer, type SilentServer } from '../../support/silent-server';
import { Children, logLines, sigterm, STOP_BOUND_MS } from '../../support/stop-run';
import { waitFor } from '../../support/transport-contract';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

/** One refused connect fires it: an alert soon after events arrive. */
const RULE = `rules:
  - id: stop-test
    name: Stop test
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }
    group_by: [raddr]
    window: 1s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 } ] }
    cooldown: 5m
    summary: "{{count}} refused from {{raddr}}"
`;

const refused = (ts: number): TcpEvent => ({
  kind: 'connect_refused',
  direction: 'inbound',
  family: 4,
  netns: 4026531840,
  host: 'web-1',
  laddr: '10.0.0.1',
  lport: 22,
  raddr: '10.0.9.9',
  rport: 40000,
  ts,
});

const redisErrorLines = (stderr: string) => logLines(stderr).filter((l) => /Redis/.test(l.msg) && l.level >= 50);

async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

async function metric(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('tcpwarden run --role engine: stops within its deadline', () => {
  let dir: string;
  let rules: string;
  let redis: TestRedis | undefined;
  let receiver: WebhookReceiver;
  let silent: SilentServer | undefined;
  const children = new Children();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-run-stop-'));
    rules = join(dir, 'rules.yaml');
    writeFileSync(rules, RULE);
    receiver = await startWebhookReceiver();
  });
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await children.killAll();
    await redis?.stop();
    await silent?.close();
    silent = undefined;
  });
  afterAll(async () => {
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const engine = (url: string, ...more: string[]) =>
    children.add(startCli(['run', '--role', 'engine', '--redis', url, '--rules', rules, '--webhook', receiver.url, '--state-dir', dir, ...more]));

  test('Redis away: logged once then at a slowing rate, /readyz 503 and tcpwarden_redis_up 0 until it is back', async () => {
    const metricsPort = await freePort();
    const run = engine(redis!.url, '--metrics', `127.0.0.1:${metricsPort}`);
    await run.stderrLine(/detector running/);
    expect(await readyz(metricsPort)).toBe(200);
    expect(await metric(metricsPort, 'tcpwarden_redis_up')).toBe(1);

    await redis!.stop();
    await waitFor('/readyz to answer 503', async () => (await readyz(metricsPort)) === 503);
    expect(await metric(metricsPort, 'tcpwarden_redis_up')).toBe(0);
    // Every connection fails several times a second; the log has a line at 0, ~1, ~3, ~7 s ... of the outage.
    await run.stderrLine(/Redis still unreachable(.|\n)*Redis still unreachable(.|\n)*Redis still unreachable/);
    const outage = redisErrorLines(run.stderrSoFar());
    expect(outage[0].msg).toMatch(/^Redis unreachable/);
    // Three repeats after the first line means at least 1 + 2 + 4 = 7 s of failures, each line
    // counting the ones it stands for; without the back-off that was ~70 lines.
    expect(outage).toHaveLength(4);
    expect(outage.slice(1).every((l) => typeof l.suppressed === 'number' && l.suppressed > 0)).toBe(true);

    await redis!.start();
    await run.stderrLine(/Redis reachable again/);
    await waitFor('/readyz to answer 200', async () => (await readyz(metricsPort)) === 200);
    expect(await metric(metricsPort, 'tcpwarden_redis_up')).toBe(1);

    const r = await sigterm(run);
    expect(r.code).toBe(0);
    expect(r.last.msg).toBe('detector stopped');
  }, 90000);

  test('SIGTERM with Redis killed mid-run: exits within the deadline, nothing left behind', async () => {
    const run = engine(redis!.url);
    await run.stderrLine(/detector running/);
    await redis!.stop();
    await run.stderrLine(/Redis unreachable/);
    const r = await sigterm(run);
    expect(r.tookMs).toBeLessThan(STOP_BOUND_MS);
    expect(r.code).toBe(0);
    expect(r.last.msg).toMatch(/^detector stopped/);
    expect(r.stderr).not.toMatch(/overran its deadline/);
  }, 60000);

  test('SIGTERM while the receiver hangs on an alert: exits at the deadline, the delivery left queued in Redis', async () => {
    receiver.script({ status: 200, hang: true });
    const seen = receiver.requests.length;
    // A sink timeout past the stop's deadline: the attempt is still in flight when the deadline comes.
    const config = join(dir, 'slow-sink.yaml');
    writeFileSync(config, `rules: [${rules}]\nalerts:\n  sinks:\n    - { type: webhook, url: "${receiver.url}", timeoutMs: 60000 }\n`);
    const run = children.add(startCli(['run', '--role', 'engine', '--redis', redis!.url, '--config', config]));
    await run.stderrLine(/detector running/);
    const producer = await BullmqProducer.connect({ url: redis!.url });
    try {
      producer.publish([refused(Date.now())]);
      await producer.flush();
    } finally {
      await producer.close();
    }
    await receiver.waitForRequests(seen + 1, 30000);
    const r = await sigterm(run);
    expect(r.tookMs).toBeLessThan(STOP_BOUND_MS);
    expect(r.code).toBe(0);
    expect(r.last.msg).toMatch(/^detector stopped with work left: .*1 alert deliveries left queued in Redis/);
    expect(r.last.left).toMatchObject({ deliveriesLeft: 1 });
    expect(r.stderr).not.toMatch(/overran its deadline/);
  }, 60000);

  test('a second SIGTERM during the stop exits at once, and says so', async () => {
    receiver.script({ status: 200, hang: true });
    const seen = receiver.requests.length;
    const run = engine(redis!.url);
    await run.stderrLine(/detector running/);
    const producer = await BullmqProducer.connect({ url: redis!.url });
    try {
      producer.publish([refused(Date.now())]);
      await producer.flush();
    } finally {
      await producer.close();
    }
    await receiver.waitForRequests(seen + 1, 30000);
    run.child.kill('SIGTERM');
    await run.stderrLine(/"msg":"stopping"/);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(logLines(r.stderr).some((l) => /^second stop signal: exiting now/.test(l.msg) && l.signal === 'SIGTERM')).toBe(true);
  }, 60000);

  test('SIGTERM while Redis hangs at start (it takes the connection, never answers): the start gives up, exit 0', async () => {
    silent = await startSilentServer();
    const run = engine(`redis://127.0.0.1:${silent.port}`, '--log-level', 'debug');
    await run.stderrLine(/detector starting/);
    await waitFor('the connection attempt', () => silent!.connections > 0);
    const r = await sigterm(run);
    expect(r.tookMs).toBeLessThan(STOP_BOUND_MS);
    expect(r.code).toBe(0);
    expect(r.last.msg).toBe('detector stopped before its start completed');
    expect(r.stderr).not.toMatch(/cannot reach Redis|overran its deadline|a stop step failed/);
  }, 60000);
});

