import { createHmac } from 'node:crypto';
import { signWebhook } from '../../src/alerts/sign-webhook';
import { signingKey } from '../../src/alerts/signing-key';
import { verifyWebhook } from '../../src/alerts/verify-webhook';

// The Standard Webhooks specification's own test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headers = (signature: string, ts = TS) => ({ 'webhook-id': ID, 'webhook-timestamp': String(ts), 'webhook-signature': signature });

test('signs the spec test vector', () => {
  expect(signWebhook(signingKey(SECRET), ID, TS, BODY)).toBe(EXPECTED);
});

test('verifies a valid delivery and returns its webhook-id, also among several signatures', () => {
  expect(verifyWebhook(SECRET, headers(EXPECTED), BODY, { now: TS * 1000 })).toBe(ID);
  expect(verifyWebhook(SECRET, headers(`v1,bm90IHRoaXMgb25l ${EXPECTED}`), Buffer.from(BODY), { now: TS * 1000 })).toBe(ID);
});

test.each(['whsec_', 'whsec_!!!!', ''])('refuses to verify with a secret %j that makes an empty key, even a signature made with that key', (secret) => {
  const emptyKeySig = signWebhook(Buffer.alloc(0), ID, TS, BODY);
  expect(() => verifyWebhook(secret, headers(emptyKeySig), BODY, { now: TS * 1000 })).toThrow(expect.objectContaining({ code: 'WEBHOOK_INVALID_SECRET' }));
});

test('a non-whsec secret is used as its UTF-8 bytes', () => {
  const sig = 'v1,' + createHmac('sha256', 'plain passphrase').update(`${ID}.${TS}.${BODY}`).digest('base64');
  expect(verifyWebhook('plain passphrase', headers(sig), BODY, { now: TS * 1000 })).toBe(ID);
});

test.each([
  ['a tampered body', () => verifyWebhook(SECRET, headers(EXPECTED), BODY + ' ', { now: TS * 1000 }), 'WEBHOOK_NO_MATCHING_SIGNATURE'],
  ['a wrong secret', () => verifyWebhook('whsec_AAAA', headers(EXPECTED), BODY, { now: TS * 1000 }), 'WEBHOOK_NO_MATCHING_SIGNATURE'],
  ['an old timestamp', () => verifyWebhook(SECRET, headers(EXPECTED), BODY, { now: (TS + 301) * 1000 }), 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE'],
  ['a missing header', () => verifyWebhook(SECRET, { 'webhook-id': ID }, BODY, { now: TS * 1000 }), 'WEBHOOK_MISSING_HEADER'],
  ['a bad timestamp', () => verifyWebhook(SECRET, headers(EXPECTED, NaN), BODY, { now: TS * 1000 }), 'WEBHOOK_INVALID_TIMESTAMP'],
])('rejects %s', (_what, verify, code) => {
  expect(verify).toThrow(expect.objectContaining({ code }));
});

test('reads fetch-style Headers too', () => {
  expect(verifyWebhook(SECRET, new Headers(headers(EXPECTED)), BODY, { now: TS * 1000 })).toBe(ID);
});
