import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDeadLetterStore } from '../../../src/alerts/dead-letter/file-dead-letter-store';
import type { AttemptResult } from '../../../src/alerts/delivery/attempt-result';
import type { DeliveryJob } from '../../../src/alerts/delivery/delivery-job';
import { MemoryDeliveryClaims } from '../../../src/alerts/delivery/memory-delivery-claims';
import { MemoryDeliveryQueue } from '../../../src/alerts/delivery/memory-delivery-queue';
import { sendToTargets, webhookTargets } from '../../../src/alerts/delivery/webhook-targets';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

let receiver: WebhookReceiver;
let stateDir: string;
let deadLetters: FileDeadLetterStore;
let attempts: { job: DeliveryJob; attempt: number; result: AttemptResult }[];

function job(alertId: string): DeliveryJob {
  return { sinkId: 'hook', alertId, dedupKey: 'r|g', ruleId: 'r', status: 'firing', body: `{"id":"${alertId}"}`, contentType: 'application/json', queuedAt: Date.now() };
}

/** A queue against the real receiver, with short backoff so retries happen within the test. */
function queue(over: { maxAttempts?: number; maxPending?: number; timeoutMs?: number; backoffMs?: number; maxBackoffMs?: number; random?: () => number } = {}): MemoryDeliveryQueue {
  const targets = webhookTargets([{ type: 'webhook', id: 'hook', url: receiver.url, timeoutMs: over.timeoutMs ?? 2000 }]);
  return new MemoryDeliveryQueue({
    policy: { maxAttempts: over.maxAttempts ?? 5, backoffMs: over.backoffMs ?? 20, maxBackoffMs: over.maxBackoffMs ?? 200 },
    maxPending: over.maxPending ?? 100,
    concurrency: 4,
    claims: new MemoryDeliveryClaims(60_000),
    deadLetters,
    send: sendToTargets(targets),
    events: { attempted: (j, attempt, result) => attempts.push({ job: j, attempt, result }) },
    ...(over.random ? { random: over.random } : {}),
  });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.script();
  attempts = [];
  stateDir = mkdtempSync(join(tmpdir(), 'tcpwarden-dlq-'));
  deadLetters = new FileDeadLetterStore(stateDir);
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

test('503 three times then 200: delivered once, every attempt with the same webhook-id', async () => {
  receiver.script(503, 503, 503, 200);
  const q = queue();
  await q.enqueue(job('a-503'));
  await q.drained();
  expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
  expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set(['a-503']));
  expect(receiver.requests.filter((r) => r.status === 200)).toHaveLength(1);
  expect(await deadLetters.list()).toEqual([]);
  await q.close();
});

test('the same alert id handed over twice is sent once', async () => {
  const q = queue();
  expect(await q.enqueue(job('a-dup'))).toBe(true);
  expect(await q.enqueue(job('a-dup'))).toBe(false);
  await q.drained();
  expect(receiver.requests).toHaveLength(1);
  await q.close();
});

test('a receiver that is down for 30 s gets the alert once it is back', async () => {
  await receiver.stop();
  // The backoff is capped at 2 s so the test ends soon after the receiver returns; the default
  // schedule (17 attempts over at least 21.75 minutes) is checked in retry-policy.test.ts.
  const q = queue({ maxAttempts: 60, backoffMs: 100, maxBackoffMs: 2000 });
  let back = 0;
  try {
    await q.enqueue(job('a-down'));
    await new Promise((r) => setTimeout(r, 30_000));
  } finally {
    await receiver.start();
    back = Date.now();
  }
  expect(attempts.length).toBeGreaterThanOrEqual(3);
  expect(attempts.every((a) => a.result.outcome === 'retry')).toBe(true);
  expect(attempts.some((a) => a.result.outcome === 'retry' && a.result.reason === 'ECONNREFUSED')).toBe(true);
  await q.drained();
  expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.status])).toEqual([['a-down', 200]]);
  // The capped backoff retries within 2 s of the receiver's return; uncapped, it would be waiting
  // tens of seconds by now. The margin is for a loaded machine.
  expect(receiver.requests[0].at - back).toBeLessThan(6000);
  await q.close();
}, 60_000);

test('400 goes to the dead-letter list after one attempt, no retry', async () => {
  receiver.script(400);
  const q = queue();
  await q.enqueue(job('a-400'));
  await q.drained();
  await new Promise((r) => setTimeout(r, 300));
  expect(receiver.requests).toHaveLength(1);
  const dead = await deadLetters.list();
  expect(dead.map((d) => [d.job.alertId, d.reason, d.status, d.attempts])).toEqual([['a-400', 'http_400', 400, 1]]);
  await q.close();
});

test('a receiver slower than the timeout is retried with the same id until it answers in time', async () => {
  receiver.script({ status: 200, delayMs: 1000 }, 200);
  const q = queue({ timeoutMs: 300 });
  await q.enqueue(job('a-slow'));
  await q.drained();
  expect(attempts.map((a) => a.result.outcome === 'retry' ? a.result.reason : a.result.outcome)).toEqual(['timeout', 'delivered']);
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['a-slow', 'a-slow']);
  await q.close();
});

test('429 with Retry-After waits at least that long', async () => {
  receiver.script({ status: 429, headers: { 'retry-after': '1' } }, 200);
  const q = queue({ maxBackoffMs: 5000 });
  await q.enqueue(job('a-429'));
  await q.drained();
  expect(receiver.requests).toHaveLength(2);
  expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(1000);
  await q.close();
});

test('out of attempts: dead-lettered with the last reason', async () => {
  receiver.script(500, 502, 503);
  const q = queue({ maxAttempts: 3 });
  await q.enqueue(job('a-5xx'));
  await q.drained();
  expect(receiver.requests).toHaveLength(3);
  expect((await deadLetters.list()).map((d) => [d.reason, d.attempts])).toEqual([['http_503', 3]]);
  await q.close();
});

test('beyond maxPending a job is dead-lettered as queue_full, not dropped', async () => {
  receiver.script({ status: 200, delayMs: 300 });
  const q = queue({ maxPending: 1 });
  await q.enqueue(job('a-first'));
  await q.enqueue(job('a-over'));
  await q.drained();
  expect((await deadLetters.list()).map((d) => [d.job.alertId, d.reason])).toEqual([['a-over', 'queue_full']]);
  await q.close();
});

test('close() dead-letters a job waiting for its retry as shutdown', async () => {
  receiver.script(503);
  // No jitter: the retry must still be waiting when close() comes.
  const q = queue({ backoffMs: 10_000, maxBackoffMs: 10_000, random: () => 1 });
  await q.enqueue(job('a-shutdown'));
  await receiver.waitForRequests(1);
  await new Promise((r) => setTimeout(r, 50));
  await q.close();
  expect((await deadLetters.list()).map((d) => [d.job.alertId, d.reason])).toEqual([['a-shutdown', 'shutdown']]);
});

test('when even the dead-letter list cannot take a job, enqueue fails and the same id can be handed over again', async () => {
  receiver.script({ status: 200, delayMs: 300 });
  const q = queue({ maxPending: 1 });
  await q.enqueue(job('a-busy'));
  // The state dir becomes a file: the dead-letter list cannot be written.
  rmSync(stateDir, { recursive: true, force: true });
  writeFileSync(stateDir, 'not a directory');
  await expect(q.enqueue(job('a-unrecorded'))).rejects.toMatchObject({ code: 'EEXIST' });
  await q.drained();
  rmSync(stateDir, { force: true });
  expect(await q.enqueue(job('a-unrecorded'))).toBe(true);
  await q.drained();
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['a-busy', 'a-unrecorded']);
  await q.close();
});
