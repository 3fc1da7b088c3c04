/**
 * `tcpwarden run` in the roles that attach the kernel collector (`all`, `collector`) as a child
 * process, with a real redis-server, a real webhook receiver and real refused connects between
 * test namespaces: SIGTERM ends it within its deadline whatever Redis and the receiver do (Redis
 * killed mid-run, a receiver that never answers, Redis hung at start, a signal during the start),
 * its last line says what it left, and it leaves no BPF program attached. (Role engine:
 * run-stop.redis.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadedPrograms, programsBackTo } from '../../support/bpf-programs';
import { runCliProcess, startCli } from '../../support/cli';
import { describeKernel } from '../../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../../support/netns';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { traffic } from '../../support/run-traffic';
import { startSilentServer, type SilentServer } from '../../support/silent-server';
import { Children, sigterm, STOP_BOUND_MS, type Stopped } from '../../support/stop-run';
import { waitFor } from '../../support/transport-contract';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';
import { roomInWindow } from '../../support/window-boundary';

/** Within the bound, exit 0, the account line last, and never the hard timer's line. */
function expectStoppedInTime(r: Stopped): void {
  expect(r.tookMs).toBeLessThan(STOP_BOUND_MS);
  expect(r.code).toBe(0);
  expect(r.last.msg).toMatch(/^detector stopped/);
  expect(r.stderr).not.toMatch(/overran its deadline/);
}

describeKernel('tcpwarden run (kernel roles): stops within its deadline', () => {
  let pair: NetnsPair;
  let receiver: WebhookReceiver;
  let dir: string;
  let redis: TestRedis | undefined;
  let silent: SilentServer | undefined;
  let programsBefore: number;
  const children = new Children();

  beforeAll(async () => {
    pair = createNetnsPair();
    receiver = await startWebhookReceiver();
    dir = mkdtempSync(join(tmpdir(), 'tw-run-stop-'));
    programsBefore = loadedPrograms();
  });
  afterEach(async () => {
    await children.killAll();
    await redis?.stop();
    redis = undefined;
    await silent?.close();
    silent = undefined;
    // Whatever the test did, no collector stays attached.
    expect(await programsBackTo(programsBefore)).toBe(programsBefore);
  });
  afterAll(async () => {
    pair?.destroy();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('collector: SIGTERM with Redis killed mid-run and events buffered: exits in time, the dropped events counted', async () => {
    redis = await startRedis();
    const run = children.add(startCli(['run', '--role', 'collector', '--redis', redis.url]));
    await run.stderrLine(/detector running/);
    await redis.stop();
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '50']);
    await run.stderrLine(/Redis unreachable/);
    const r = await sigterm(run);
    expectStoppedInTime(r);
    expect(r.last.msg).toMatch(/^detector stopped with work left: \d+ events dropped \(counted as queue loss\)/);
    expect((r.last.left as { eventsDropped: number }).eventsDropped).toBeGreaterThanOrEqual(50);
  }, 60000);

  test('collector: SIGTERM while Redis hangs at start, before the collector attached: the start gives up', async () => {
    silent = await startSilentServer();
    const run = children.add(startCli(['run', '--role', 'collector', '--redis', `redis://127.0.0.1:${silent.port}`, '--log-level', 'debug']));
    await run.stderrLine(/detector starting/);
    await waitFor('the connection attempt', () => silent!.connections > 0);
    const r = await sigterm(run);
    expectStoppedInTime(r);
    expect(r.last.msg).toBe('detector stopped before its start completed');
    expect(r.stderr).not.toMatch(/collector attached|a stop step failed/);
  }, 60000);

  test('all, with Redis: SIGTERM with Redis killed mid-run: exits in time', async () => {
    redis = await startRedis();
    const run = children.add(startCli(['run', '--redis', redis.url, '--state-dir', dir]));
    await run.stderrLine(/detector running/);
    await redis.stop();
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '50']);
    await run.stderrLine(/Redis unreachable/);
    expectStoppedInTime(await sigterm(run));
  }, 60000);

  test('all: SIGTERM while the receiver hangs on an alert from real refused connects: exits at the deadline, the delivery dead-lettered', async () => {
    receiver.script({ status: 200, hang: true });
    const seen = receiver.requests.length;
    // A sink timeout past the stop's deadline: the attempt is still in flight when the deadline comes.
    const config = join(dir, 'slow-sink.yaml');
    writeFileSync(config, `alerts:\n  sinks:\n    - { type: webhook, url: "${receiver.url}", timeoutMs: 60000 }\n  delivery: { stateDir: ${dir} }\n`);
    const run = children.add(startCli(['run', '--config', config]));
    await run.stderrLine(/detector running/);
    await roomInWindow(3000);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '150']);
    await receiver.waitForRequests(seen + 1, 25000);
    const r = await sigterm(run);
    expectStoppedInTime(r);
    expect(r.last.msg).toMatch(/^detector stopped with work left: .*1 alert deliveries dead-lettered \(tcpwarden alerts retry\)/);
    const failed = await runCliProcess(['alerts', 'failed', '--state-dir', dir]);
    expect(failed.stdout).toMatch(/refused-connections/);
    expect(failed.stdout).toMatch(/shutdown/);
  }, 60000);

  test('all: SIGTERM during the start: exits in time, nothing left attached', async () => {
    const run = children.add(startCli(['run', '--state-dir', dir, '--log-level', 'debug']));
    await run.stderrLine(/detector starting/);
    const r = await sigterm(run);
    expectStoppedInTime(r);
  }, 60000);
});
