/**
 * The alertmanager sink: what it posts (against a recording receiver standing in for
 * Alertmanager; test/alerts/alertmanager-sink.alertmanager.test.ts runs the real one), its
 * credentials and signing, one delivery per URL, and the re-sends that keep a firing alert alive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AlertmanagerSink } from '../../src/alerts/alertmanager-sink';
import { AlertDelivery } from '../../src/alerts/alert-delivery';
import { createAlertDelivery } from '../../src/alerts/create-alert-delivery';
import { retryDeadLetters } from '../../src/alerts/retry-dead-letters';
import { FileDeadLetterStore } from '../../src/alerts/dead-letter/file-dead-letter-store';
import type { DeliveryJob } from '../../src/alerts/delivery/delivery-job';
import type { DeliveryQueue } from '../../src/alerts/delivery/delivery-queue';
import type { AlertmanagerSinkConfig, Identified } from '../../src/alerts/sink-config';
import { validateAlertsConfig } from '../../src/alerts/validate-alerts-config';
import { verifyWebhook } from '../../src/alerts/verify-webhook';
import type { Alert } from '../../src/interfaces/alert';
import { createLogger } from '../../src/logging/create-logger';
import { buildAlert } from '../support/alert-builder';
import { freePort } from '../support/free-port';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const quiet = createLogger({ level: 'silent' });

let receiver: WebhookReceiver;
let stateDir: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => {
  receiver.requests.length = 0;
  stateDir = mkdtempSync(join(tmpdir(), 'tcpwarden-am-sink-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** A queue that only records what it is given. */
function recordingQueue(): DeliveryQueue & { jobs: DeliveryJob[] } {
  const jobs: DeliveryJob[] = [];
  return {
    jobs,
    async enqueue(job) {
      jobs.push(job);
      return true;
    },
    async drained() {},
    async close() {
      return 0;
    },
  };
}

function sink(config: Partial<AlertmanagerSinkConfig>, queue: DeliveryQueue, now: () => number, logger = quiet): AlertmanagerSink {
  const full = { type: 'alertmanager', id: 'am', url: 'http://127.0.0.1:9093', ...config } as Identified<AlertmanagerSinkConfig>;
  return new AlertmanagerSink(full, queue, logger, now);
}

const endsAt = (job: DeliveryJob) => Date.parse(JSON.parse(job.body)[0].endsAt);

test('posts one postableAlert to /api/v2/alerts: labels, annotations, startsAt, endsAt three re-sends ahead, basic auth, signed', async () => {
  const base = receiver.url.replace(/\/hook$/, '');
  const config = validateAlertsConfig({
    sinks: [{ type: 'alertmanager', id: 'am', url: `${base}/prefix/`, basicAuth: { username: 'tcpwarden', password: { env: 'AM_PASS' } }, secret: { env: 'AM_SIGN' } }],
    delivery: { stateDir },
  });
  const delivery = createAlertDelivery(config, { logger: quiet, env: { AM_PASS: 'pa:ss', AM_SIGN: 'signing-key' } });
  const before = Date.now();
  try {
    await delivery.dispatch(buildAlert({ id: 'a1', group: { netns: 1, 'remote.addr': '10.0.0.9', '9lives': 'x' } }));
    await delivery.drained();
  } finally {
    await delivery.close();
  }
  expect(receiver.requests).toHaveLength(1);
  const req = receiver.requests[0];
  expect(req.path).toBe('/prefix/api/v2/alerts');
  expect(req.headers.authorization).toBe('Basic ' + Buffer.from('tcpwarden:pa:ss').toString('base64'));
  expect(verifyWebhook('signing-key', req.headers, req.body)).toBe('a1');
  const body = JSON.parse(req.body);
  expect(body).toHaveLength(1);
  expect(Object.keys(body[0]).sort()).toEqual(['annotations', 'endsAt', 'labels', 'startsAt']);
  expect(body[0].labels).toEqual({ alertname: 'syn-flood', severity: 'critical', host: 'web-1', netns: '1', remote_addr: '10.0.0.9', _9lives: 'x' });
  expect(body[0].annotations).toMatchObject({ summary: 'SYN flood on 10.0.0.1:80: 120 SYN-ACK retransmits from 40 peers in 10s', description: 'SYN flood on a listening port' });
  expect(body[0].startsAt).toBe('2026-11-25T09:00:10.000Z');
  expect(Date.parse(body[0].endsAt)).toBeGreaterThanOrEqual(before + 180_000);
  expect(Date.parse(body[0].endsAt)).toBeLessThanOrEqual(Date.now() + 180_000);
});

test('a bearer token from a file becomes Authorization: Bearer', async () => {
  writeFileSync(join(stateDir, 'token'), 'tok-123\n');
  const config = validateAlertsConfig({ sinks: [{ type: 'alertmanager', url: receiver.url.replace(/\/hook$/, ''), bearerToken: { file: join(stateDir, 'token') } }], delivery: { stateDir } });
  const delivery = createAlertDelivery(config, { logger: quiet });
  try {
    await delivery.dispatch(buildAlert());
    await delivery.drained();
  } finally {
    await delivery.close();
  }
  expect(receiver.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-123']);
});

test('an HA pair: each URL is its own delivery; one down is retried and dead-lettered alone while the other gets the alert', async () => {
  const down = `http://127.0.0.1:${await freePort()}`;
  const config = validateAlertsConfig({
    sinks: [{ type: 'alertmanager', id: 'am', urls: [receiver.url.replace(/\/hook$/, ''), down] }],
    delivery: { stateDir, maxAttempts: 2, backoffMs: 10, maxBackoffMs: 20 },
  });
  const delivery = createAlertDelivery(config, { logger: quiet });
  try {
    await delivery.dispatch(buildAlert({ id: 'ha-1' }));
    await delivery.drained();
  } finally {
    await delivery.close();
  }
  expect(receiver.requests.map((r) => r.path)).toEqual(['/api/v2/alerts']);
  const dead = await new FileDeadLetterStore(stateDir).list();
  expect(dead.map((e) => [e.job.sinkId, e.job.alertId, e.attempts, e.reason])).toEqual([['am#1', 'ha-1', 2, 'ECONNREFUSED']]);
});

test('while firing, each re-send pushes endsAt ahead; a repeat replaces what is re-sent; the resolution stops the re-sends', async () => {
  let now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const queue = recordingQueue();
  const am = sink({ urls: ['http://a:9093', 'http://b:9093'], resendIntervalMs: 60_000 }, queue, () => now);
  try {
    const fired = buildAlert({ id: 'f1' });
    await am.send(fired);
    expect(queue.jobs.map((j) => [j.sinkId, j.alertId])).toEqual([['am#0', 'f1'], ['am#1', 'f1']]);
    expect(endsAt(queue.jobs[0])).toBe(now + 180_000);

    now += 60_000;
    await am.resendFiring();
    expect(queue.jobs.slice(2).map((j) => [j.sinkId, j.alertId])).toEqual([['am#0', `f1-resend-${now}`], ['am#1', `f1-resend-${now}`]]);
    expect(endsAt(queue.jobs[2])).toBe(now + 180_000);

    await am.send({ ...fired, id: 'f2', summary: 'repeat with new figures' });
    now += 60_000;
    await am.resendFiring();
    const resent = queue.jobs.slice(-2);
    expect(resent.map((j) => j.alertId)).toEqual([`f2-resend-${now}`, `f2-resend-${now}`]);
    expect(JSON.parse(resent[0].body)[0].annotations.summary).toBe('repeat with new figures');

    const resolvedAt = now - 5000;
    await am.send({ ...fired, id: 'r1', status: 'resolved', endsAt: resolvedAt });
    expect(endsAt(queue.jobs[queue.jobs.length - 1])).toBe(resolvedAt);
    const count = queue.jobs.length;
    await am.resendFiring();
    expect(queue.jobs.length).toBe(count);
    expect(am.firingAlerts()).toEqual([]);
  } finally {
    await am.close();
  }
});

test('an alert the engine has not repeated for forgetAfterMs is no longer re-sent (its resolution may be another engine\'s)', async () => {
  let now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const queue = recordingQueue();
  const am = sink({ resendIntervalMs: 60_000, forgetAfterMs: 600_000 }, queue, () => now);
  try {
    await am.send(buildAlert({ id: 'old', dedupKey: 'syn-flood|old' }));
    now += 300_000;
    await am.send(buildAlert({ id: 'kept', dedupKey: 'syn-flood|kept' }));
    now += 300_001;
    await am.resendFiring();
    expect(queue.jobs.slice(2).map((j) => j.alertId)).toEqual([`kept-resend-${now}`]);
    expect(am.firingAlerts().map((a) => a.id)).toEqual(['kept']);
  } finally {
    await am.close();
  }
});

test('a burst summary is sent once and not re-sent: its group never resolves', async () => {
  const queue = recordingQueue();
  const am = sink({}, queue, Date.now);
  try {
    await am.send(buildAlert({ id: 'syn-flood|burst|1000', dedupKey: 'syn-flood|burst', group: {} }));
    await am.resendFiring();
    expect(queue.jobs.map((j) => j.alertId)).toEqual(['syn-flood|burst|1000']);
  } finally {
    await am.close();
  }
});

test('memory is bounded by maxFiring: a group beyond it is sent once, not re-sent, and that is logged once', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }));
  const queue = recordingQueue();
  const am = sink({ maxFiring: 1 }, queue, Date.now, logger);
  try {
    for (const k of ['a', 'b', 'c']) await am.send(buildAlert({ id: k, dedupKey: `syn-flood|${k}` }));
    expect(queue.jobs.map((j) => j.alertId)).toEqual(['a', 'b', 'c']);
    await am.resendFiring();
    expect(queue.jobs.slice(3).map((j) => j.alertId)).toEqual([expect.stringMatching(/^a-resend-/)]);
    expect(lines.filter((l) => l.includes('too many firing alerts'))).toHaveLength(1);
  } finally {
    await am.close();
  }
});

test('a replacement sink layer (a reloaded config) takes over the firing alerts and re-sends them', async () => {
  const oldQueue = recordingQueue();
  const newQueue = recordingQueue();
  const old = new AlertDelivery([sink({}, oldQueue, Date.now)], oldQueue, new FileDeadLetterStore(stateDir), {}, quiet);
  const nextSink = sink({ rules: ['syn-flood'] }, newQueue, Date.now);
  const next = new AlertDelivery([nextSink], newQueue, new FileDeadLetterStore(stateDir), {}, quiet);
  try {
    const firing: Alert = buildAlert({ id: 'x1' });
    await old.dispatch(firing);
    await old.dispatch(buildAlert({ id: 'y1', dedupKey: 'other|1', rule: { ...firing.rule, id: 'other' } }));
    next.adopt(old.firingAlerts());
    expect(newQueue.jobs).toEqual([]);
    await nextSink.resendFiring();
    // Only what the new sink's filter takes.
    expect(newQueue.jobs.map((j) => j.alertId)).toEqual([expect.stringMatching(/^x1-resend-/)]);
  } finally {
    await old.close();
    await next.close();
  }
});

test('the re-send timer runs by itself at resendIntervalMs', async () => {
  const config = validateAlertsConfig({ sinks: [{ type: 'alertmanager', url: receiver.url.replace(/\/hook$/, ''), resendIntervalMs: 50 }], delivery: { stateDir } });
  const delivery = createAlertDelivery(config, { logger: quiet });
  try {
    await delivery.dispatch(buildAlert({ id: 't1' }));
    await receiver.waitForRequests(3);
  } finally {
    await delivery.close();
  }
  const ids = receiver.requests.map((r) => r.headers['webhook-id']);
  expect(ids[0]).toBe('t1');
  expect(ids.slice(1).every((id) => /^t1-resend-\d+$/.test(String(id)))).toBe(true);
});

test("'tcpwarden alerts retry' re-sends an Alertmanager's dead letters to that Alertmanager, found by <id>#<index>", async () => {
  const down = `http://127.0.0.1:${await freePort()}`;
  const up = receiver.url.replace(/\/hook$/, '');
  const broken = validateAlertsConfig({ sinks: [{ type: 'alertmanager', id: 'am', urls: [up, down] }], delivery: { stateDir, maxAttempts: 1 } });
  const delivery = createAlertDelivery(broken, { logger: quiet });
  try {
    await delivery.dispatch(buildAlert({ id: 'dl-1' }));
    await delivery.drained();
  } finally {
    await delivery.close();
  }
  const store = new FileDeadLetterStore(stateDir);
  expect((await store.list()).map((e) => e.job.sinkId)).toEqual(['am#1']);
  receiver.requests.length = 0;
  // The second member is back (here: at the receiver's address).
  const fixed = validateAlertsConfig({ sinks: [{ type: 'alertmanager', id: 'am', urls: [up, `${up}/second`] }], delivery: { stateDir } });
  const report = await retryDeadLetters({ config: fixed, store, logger: quiet });
  expect(report.delivered.map((e) => e.job.alertId)).toEqual(['dl-1']);
  expect(receiver.requests.map((r) => r.path)).toEqual(['/second/api/v2/alerts']);
  expect(await store.list()).toEqual([]);
});
