import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import pino from 'pino';
import { createAlertDelivery } from '../../src/alerts/create-alert-delivery';
import { FileDeadLetterStore } from '../../src/alerts/dead-letter/file-dead-letter-store';
import { validateAlertsConfig } from '../../src/alerts/validate-alerts-config';
import { verifyWebhook } from '../../src/alerts/verify-webhook';
import { buildAlert } from '../support/alert-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const SIGNING_SECRET = 'whsec_' + Buffer.from('signing-secret-value-0123456789').toString('base64');
const BEARER = 'Bearer token-value-that-must-not-leak';
const URL_TOKEN = 'url-token-that-must-not-leak';

let receiver: WebhookReceiver;
let stateDir: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => {
  receiver.requests.length = 0;
  stateDir = mkdtempSync(join(tmpdir(), 'tcpwarden-alerts-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

test('signed deliveries verify at the receiver; secrets, header values and URL tokens are in no log line', async () => {
  const tokenFile = join(stateDir, 'token');
  writeFileSync(tokenFile, BEARER + '\n');
  const log = capture();
  const stdout = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  const config = validateAlertsConfig({
    sinks: [
      {
        type: 'webhook',
        url: `${receiver.url}?token=${URL_TOKEN}`,
        secret: { env: 'HOOK_SECRET' },
        headers: { Authorization: { file: tokenFile }, 'X-Team': 'secops' },
        minSeverity: 'high',
      },
      { type: 'stdout', json: true },
    ],
    delivery: { stateDir, backoffMs: 10, maxBackoffMs: 50, maxAttempts: 3 },
  });
  const delivery = createAlertDelivery(config, {
    env: { HOOK_SECRET: SIGNING_SECRET },
    logger: pino({ level: 'debug' }, log.stream),
    stdout,
  });
  // One retried then delivered, one refused (dead-lettered), one below the sink's severity.
  receiver.script(503, 200, 400);
  await delivery.dispatch(buildAlert({ id: 'e2e-1' }));
  await delivery.drained();
  await delivery.dispatch(buildAlert({ id: 'e2e-2' }));
  await delivery.dispatch(buildAlert({ id: 'e2e-low', rule: { id: 'r', name: 'r', severity: 'low', tags: [] } }));
  await delivery.drained();
  await delivery.close();

  expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.status])).toEqual([
    ['e2e-1', 503],
    ['e2e-1', 200],
    ['e2e-2', 400],
  ]);
  for (const r of receiver.requests) {
    expect(verifyWebhook(SIGNING_SECRET, r.headers, r.body)).toBe(r.headers['webhook-id']);
    expect(r.headers.authorization).toBe(BEARER);
    expect(r.headers['x-team']).toBe('secops');
    expect(r.path).toBe(`/hook?token=${URL_TOKEN}`);
  }
  expect(JSON.parse(receiver.requests[1].body).id).toBe('e2e-1');

  expect(log.lines.length).toBeGreaterThanOrEqual(3);
  expect(log.lines.some((l) => l.includes('dead-letter'))).toBe(true);
  const secretBytes = Buffer.from(SIGNING_SECRET.slice(6), 'base64').toString();
  for (const line of log.lines)
    for (const secret of [SIGNING_SECRET, secretBytes, BEARER, 'token-value', URL_TOKEN, 'secops', receiver.url]) expect(line).not.toContain(secret);

  const dead = await new FileDeadLetterStore(stateDir).list();
  expect(dead.map((d) => [d.job.alertId, d.reason])).toEqual([['e2e-2', 'http_400']]);
  expect(JSON.stringify(dead)).not.toContain(URL_TOKEN);

  // The stdout sink took all three, the low one included, as JSON lines.
  expect(out.join('').trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['e2e-1', 'e2e-2', 'e2e-low']);
});

test('a missing secret fails at start, naming the variable and not any value', () => {
  const config = validateAlertsConfig({ sinks: [{ type: 'webhook', url: receiver.url, secret: { env: 'NOT_SET' } }], delivery: { stateDir } });
  expect(() => createAlertDelivery(config, { env: {} })).toThrow('environment variable NOT_SET is not set or empty');
});

test('a burst of many groups of one rule: maxGroups requests, then one summary', async () => {
  const config = validateAlertsConfig({
    sinks: [{ type: 'webhook', url: receiver.url }],
    delivery: { stateDir },
    // Long enough that the 500 hand-overs fall in one interval even on a loaded machine.
    burst: { intervalMs: 1500, maxGroups: 10, topGroups: 3 },
  });
  const delivery = createAlertDelivery(config, { logger: pino({ level: 'silent' }) });
  for (let i = 0; i < 500; i++)
    await delivery.dispatch(buildAlert({ id: `burst-${i}`, dedupKey: `syn-flood|g${i}`, group: { laddr: `10.1.${i >> 8}.${i & 255}` }, aggregates: { count: i } }));
  await receiver.waitForRequests(11, 10_000);
  await delivery.drained();
  await delivery.close();
  expect(receiver.requests).toHaveLength(11);
  const summary = JSON.parse(receiver.requests[10].body);
  expect(summary.aggregates.groups).toBe(490);
  expect(summary.summary).toContain('top: laddr=10.1.1.243 (499), laddr=10.1.1.242 (498), laddr=10.1.1.241 (497); and 487 others');
});
