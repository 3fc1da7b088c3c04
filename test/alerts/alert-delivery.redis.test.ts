import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

test('two engine processes on one Redis hand over the same alert: one delivery; a refusal is listed by alerts failed --redis', async () => {
  const config = validateAlertsConfig({
    sinks: [{ type: 'webhook', id: 'soc', url: receiver.url }],
    delivery: { redisUrl: redis.url, backoffMs: 10, maxBackoffMs: 50 },
  });
  const a = createAlertDelivery(config, { logger: pino({ level: 'silent' }) });
  const b = createAlertDelivery(config, { logger: pino({ level: 'silent' }) });
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
});
