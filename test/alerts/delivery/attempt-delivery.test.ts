import { attemptDelivery } from '../../../src/alerts/delivery/attempt-delivery';
import type { DeliveryJob } from '../../../src/alerts/delivery/delivery-job';
import type { WebhookTarget } from '../../../src/alerts/delivery/webhook-target';
import { Secret } from '../../../src/alerts/secret';
import { verifyWebhook } from '../../../src/alerts/verify-webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

let receiver: WebhookReceiver;
const job = (alertId: string): DeliveryJob => ({
  sinkId: 's', alertId, dedupKey: 'r|g', ruleId: 'r', status: 'firing', body: '{"é":"ü"}', contentType: 'application/json', queuedAt: 0,
});
const target = (over: Partial<WebhookTarget> = {}): WebhookTarget => ({ id: 's', url: new Secret(receiver.url), timeoutMs: 2000, headers: {}, ...over });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => {
  receiver.requests.length = 0;
});

test('a signed POST with the alert id, the raw body and a verifiable signature (non-ASCII body)', async () => {
  const result = await attemptDelivery(target({ signingKey: new Secret('whsec_c2VjcmV0') }), job('id-1'));
  expect(result).toEqual({ outcome: 'delivered', status: 200 });
  const [req] = receiver.requests;
  expect(req.body).toBe('{"é":"ü"}');
  expect(req.headers['content-type']).toBe('application/json');
  expect(req.headers['user-agent']).toBe('tcpwarden-alerts/1');
  expect(verifyWebhook('whsec_c2VjcmV0', req.headers, req.body)).toBe('id-1');
});

test('https:// to a plain-HTTP port (EPROTO) is refused at once, not retried like a network error', async () => {
  const plain = new URL(receiver.url);
  const result = await attemptDelivery(target({ url: new Secret(`https://127.0.0.1:${plain.port}/`) }), job('id-tls'));
  expect(result).toEqual({ outcome: 'reject', reason: 'EPROTO' });
});

test('a redirect is not followed and not retried', async () => {
  receiver.script({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
  expect(await attemptDelivery(target(), job('id-2'))).toEqual({ outcome: 'reject', reason: 'http_302', status: 302 });
  expect(receiver.requests).toHaveLength(1);
});

test('a request that cannot be built (newline in a header) is refused at once, not retried', async () => {
  expect(await attemptDelivery(target(), job('bad\nid'))).toEqual({ outcome: 'reject', reason: 'ERR_INVALID_CHAR' });
  expect(receiver.requests).toHaveLength(0);
});
