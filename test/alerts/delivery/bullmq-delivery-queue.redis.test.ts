import IORedis from 'ioredis';
import { RedisDeadLetterStore } from '../../../src/alerts/dead-letter/redis-dead-letter-store';
import { BullmqDeliveryQueue } from '../../../src/alerts/delivery/bullmq-delivery-queue';
import type { DeliveryJob } from '../../../src/alerts/delivery/delivery-job';
import { RedisDeliveryClaims } from '../../../src/alerts/delivery/redis-delivery-claims';
import { sendToTargets, webhookTargets } from '../../../src/alerts/delivery/webhook-targets';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

let redis: TestRedis;
let receiver: WebhookReceiver;
let client: IORedis;
let deadLetters: RedisDeadLetterStore;
const open: BullmqDeliveryQueue[] = [];

function job(alertId: string): DeliveryJob {
  return { sinkId: 'hook', alertId, dedupKey: 'r|g', ruleId: 'r', status: 'firing', body: `{"id":"${alertId}"}`, contentType: 'application/json', queuedAt: Date.now() };
}

function queue(over: { work?: boolean; maxBackoffMs?: number } = {}): BullmqDeliveryQueue {
  const q = new BullmqDeliveryQueue({
    redisUrl: redis.url,
    policy: { maxAttempts: 5, backoffMs: 20, maxBackoffMs: over.maxBackoffMs ?? 200 },
    concurrency: 4,
    claims: new RedisDeliveryClaims(new IORedis(redis.url), 60_000, true),
    deadLetters,
    send: sendToTargets(webhookTargets([{ type: 'webhook', id: 'hook', url: receiver.url, timeoutMs: 2000 }])),
    work: over.work ?? true,
  });
  open.push(q);
  return q;
}

beforeAll(async () => {
  redis = await startRedis();
  receiver = await startWebhookReceiver();
  client = new IORedis(redis.url);
  deadLetters = new RedisDeadLetterStore(client, false);
});
afterAll(async () => {
  await client.quit();
  await receiver.stop();
  await redis.stop();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.script();
});
afterEach(async () => {
  for (const q of open.splice(0)) await q.close();
});

test('503 three times then 200 through BullMQ: delivered once with one webhook-id', async () => {
  receiver.script(503, 503, 503, 200);
  const q = queue();
  await q.enqueue(job('b-503'));
  await receiver.waitForRequests(4);
  await q.drained();
  expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.status])).toEqual([
    ['b-503', 503], ['b-503', 503], ['b-503', 503], ['b-503', 200],
  ]);
});

test('two processes handed the same alert: one delivery (claims in Redis)', async () => {
  const a = queue();
  const b = queue();
  expect(await Promise.all([a.enqueue(job('b-dup')), b.enqueue(job('b-dup'))])).toEqual(expect.arrayContaining([true, false]));
  await receiver.waitForRequests(1);
  await a.drained();
  await new Promise((r) => setTimeout(r, 200));
  expect(receiver.requests).toHaveLength(1);
});

test('400: one attempt, then the Redis dead-letter list', async () => {
  receiver.script(400);
  const q = queue();
  await q.enqueue(job('b-400'));
  await receiver.waitForRequests(1);
  await q.drained();
  await new Promise((r) => setTimeout(r, 200));
  expect(receiver.requests).toHaveLength(1);
  const dead = await deadLetters.list();
  expect(dead.map((d) => [d.job.alertId, d.reason, d.attempts])).toEqual([['b-400', 'http_400', 1]]);
  await deadLetters.remove([dead[0].id]);
  expect(await deadLetters.list()).toEqual([]);
});

test('a job queued by a process that then stops is delivered by a worker started later', async () => {
  const producer = queue({ work: false });
  await producer.enqueue(job('b-durable'));
  await producer.close();
  open.splice(open.indexOf(producer), 1);
  expect(receiver.requests).toHaveLength(0);
  const worker = queue();
  await receiver.waitForRequests(1);
  await worker.drained();
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['b-durable']);
});

test('Retry-After is honoured through the BullMQ backoff strategy', async () => {
  receiver.script({ status: 503, headers: { 'retry-after': '1' } }, 200);
  const q = queue({ maxBackoffMs: 5000 });
  await q.enqueue(job('b-retry-after'));
  await receiver.waitForRequests(2);
  expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(1000);
});
