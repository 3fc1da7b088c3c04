import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import pino from 'pino';
import { createAlertDelivery } from '../../src/alerts/create-alert-delivery';
import { validateAlertsConfig } from '../../src/alerts/validate-alerts-config';
import { buildAlert } from '../support/alert-builder';
import { startRedis, type TestRedis } from '../support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

let redis: TestRedis;
let receiver: WebhookReceiver;

beforeAll(async () => {
  redis = await startRedis();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.stop();
  await redis.stop();
});

const URL_TOKEN = 'url-token-not-for-redis';
const SIGNING_SECRET = 'signing-secret-not-for-redis';
const BEARER = 'Bearer header-not-for-redis';

/** Every value stored in Redis, whatever the key's type, as one string. */
async function everythingIn(client: IORedis): Promise<string> {
  const parts: string[] = [];
  for (const key of await client.keys('*')) {
    const type = await client.type(key);
    if (type === 'string') parts.push(String(await client.get(key)));
    else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
    else if (type === 'list') parts.push(...(await client.lrange(key, 0, -1)));
    else if (type === 'zset') parts.push(...(await client.zrange(key, 0, -1)));
    else if (type === 'set') parts.push(...(await client.smembers(key)));
    else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

test('two engine processes on one Redis hand over the same alert: one delivery; a refusal is listed by alerts failed --redis', async () => {
  const config = validateAlertsConfig({
    sinks: [{ type: 'webhook', id: 'soc', url: `${receiver.url}?token=${URL_TOKEN}`, secret: { env: 'S' }, headers: { Authorization: { env: 'A' } } }],
    delivery: { redisUrl: redis.url, backoffMs: 10, maxBackoffMs: 50 },
  });
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const env = { S: SIGNING_SECRET, A: BEARER };
  const a = createAlertDelivery(config, { logger, env });
  const b = createAlertDelivery(config, { logger, env });
  receiver.script(200, 422);
  await Promise.all([a.dispatch(buildAlert({ id: 'shared-1' })), b.dispatch(buildAlert({ id: 'shared-1' }))]);
  await a.dispatch(buildAlert({ id: 'refused-1' }));
  await receiver.waitForRequests(2);
  await a.drained();
  await new Promise((r) => setTimeout(r, 200));
  await Promise.all([a.close(), b.close()]);
  expect(receiver.requests.map((r) => [r.headers['webhook-id'], r.status])).toEqual([
    ['shared-1', 200],
    ['refused-1', 422],
  ]);

  const { stdout } = await promisify(execFile)('node', [join(__dirname, '../../bin/tcpwarden'), 'alerts', 'failed', '--redis', redis.url]);
  expect(stdout).toMatch(/ sink=soc alert=refused-1 rule=syn-flood firing reason=http_422 attempts=1\n$/);

  // Jobs, claims and the dead-letter list hold no URL, secret or header value; nor does any log line.
  const client = new IORedis(redis.url);
  const stored = await everythingIn(client);
  await client.quit();
  expect(stored).toContain('refused-1');
  expect(lines.some((l) => l.includes('dead-letter'))).toBe(true);
  for (const secret of [URL_TOKEN, SIGNING_SECRET, BEARER, receiver.url]) {
    expect(stored).not.toContain(secret);
    for (const line of lines) expect(line).not.toContain(secret);
  }
});
