import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FileDeadLetterStore } from '../../../src/alerts/dead-letter/file-dead-letter-store';
import { defaultWebhookSinkId } from '../../../src/alerts/sink-id';
import { verifyWebhook } from '../../../src/alerts/verify-webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

// Runs the built CLI (npm test compiles it first) as a child process: async, so this process's receiver can answer.
const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin/tcpwarden');
const SECRET = 'cli-test-secret';

let receiver: WebhookReceiver;
let stateDir: string;

async function tcpwarden(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [BIN, 'alerts', ...args], { env: { ...process.env, TCPWARDEN_WEBHOOK_SECRET: SECRET } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function seed(alertId: string, sinkId: string): Promise<string> {
  const id = `entry-${alertId}`;
  await new FileDeadLetterStore(stateDir).add({
    id,
    job: { sinkId, alertId, dedupKey: 'r|g', ruleId: 'syn-flood', status: 'firing', body: `{"id":"${alertId}"}`, contentType: 'application/json', queuedAt: 0 },
    attempts: 12,
    reason: 'ECONNREFUSED',
    failedAt: Date.UTC(2026, 10, 25, 9),
  });
  return id;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'tcpwarden-cli-'));
  receiver.requests.length = 0;
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

test('failed lists the dead-letter file; retry re-sends signed to --webhook and empties it', async () => {
  await seed('cli-1', defaultWebhookSinkId(receiver.url));
  await seed('cli-other', 'some-other-sink');
  const failed = await tcpwarden(['failed', '--state-dir', stateDir]);
  expect(failed.code).toBe(0);
  expect(failed.stdout).toContain('2026-11-25T09:00:00.000Z entry-cli-1 sink=webhook-');
  expect(failed.stdout).toContain('alert=cli-1 rule=syn-flood firing reason=ECONNREFUSED attempts=12');
  expect(failed.stderr).toBe('2 failed deliveries\n');

  const retry = await tcpwarden(['retry', '--state-dir', stateDir, '--webhook', receiver.url]);
  expect(retry.stderr).toContain('1 delivered, 0 failed again, 1 skipped');
  expect(retry.code).toBe(1);
  expect(receiver.requests).toHaveLength(1);
  expect(verifyWebhook(SECRET, receiver.requests[0].headers, receiver.requests[0].body)).toBe('cli-1');

  const after = await tcpwarden(['failed', '--state-dir', stateDir, '--json']);
  expect(after.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['entry-cli-other']);
});

test('retry with --config and --id: a refused delivery goes back to the list', async () => {
  await seed('cli-2', 'hook');
  await seed('cli-3', 'hook');
  const config = join(stateDir, 'tcpwarden.yaml');
  writeFileSync(config, `alerts:\n  sinks:\n    - { type: webhook, id: hook, url: "${receiver.url}" }\n`);
  receiver.script(410);
  const retry = await tcpwarden(['retry', '--state-dir', stateDir, '--config', config, '--id', 'entry-cli-2', '--attempts', '2']);
  expect(retry.code).toBe(1);
  expect(retry.stdout).toContain('failed again');
  const left = (await new FileDeadLetterStore(stateDir).list()).map((e) => [e.job.alertId, e.reason]);
  expect(left).toEqual([['cli-3', 'ECONNREFUSED'], ['cli-2', 'http_410']]);
});

test('user mistakes are one line, no stack', async () => {
  const bad = await tcpwarden(['retry', '--state-dir', stateDir, '--webhook', 'ftp://nope']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe("tcpwarden alerts: --webhook needs an http:// or https:// URL, got 'ftp://nope'\n");
  const config = join(stateDir, 'bad.yaml');
  writeFileSync(config, 'alerts:\n  sinks: []\n');
  const invalid = await tcpwarden(['retry', '--state-dir', stateDir, '--config', config]);
  // The same loader as `run --config`: the error carries file:line:column.
  expect(invalid.stderr).toBe(`tcpwarden alerts: ${config}:2:10: error config.alerts: alerts.sinks: must be a non-empty list (accepted: see docs/alerts.md)\n`);
  const noRedis = await tcpwarden(['failed', '--redis', 'redis://:hunter2@127.0.0.1:1']);
  expect(noRedis.code).toBe(1);
  expect(noRedis.stderr).toMatch(/^tcpwarden alerts: cannot use Redis at 127\.0\.0\.1:1: [^\n]+\n$/);
  expect(noRedis.stderr).not.toContain('hunter2');
});

test('two retries run at the same moment deliver each entry exactly once', async () => {
  const sink = defaultWebhookSinkId(receiver.url);
  const alertIds = Array.from({ length: 12 }, (_, i) => `twice-${i}`);
  for (const id of alertIds) await seed(id, sink);
  // A slow receiver, so the two runs overlap for the whole of their sending.
  receiver.script(...alertIds.flatMap(() => [{ status: 200, delayMs: 200 }, { status: 200, delayMs: 200 }]));
  const args = ['retry', '--state-dir', stateDir, '--webhook', receiver.url];
  const [a, b] = await Promise.all([tcpwarden(args), tcpwarden(args)]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const received = receiver.requests.map((r) => (JSON.parse(r.body) as { id: string }).id).sort();
  expect(received).toEqual([...alertIds].sort());
  expect(await new FileDeadLetterStore(stateDir).list()).toEqual([]);
});
