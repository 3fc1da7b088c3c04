import { timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../errors/webhook-verification-error';
import { signWebhook } from './sign-webhook';
import { signingKey, signingSecretProblem } from './signing-key';

export interface VerifyWebhookOptions {
  /** Accepted distance between webhook-timestamp and now, either way (default 300, the spec's 5 minutes). */
  toleranceSeconds?: number;
  /** Now, in epoch milliseconds (for tests). */
  now?: number;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * For receivers written in Node: checks a tcpwarden delivery's Standard Webhooks signature and
 * returns the webhook-id (dedupe on it: a retry carries the same one). `body` must be the raw
 * bytes as received, before any JSON parsing. `headers` is Node's `req.headers` or a fetch
 * `Headers`. Throws WebhookVerificationError (answer 401) when it does not verify, and with code
 * WEBHOOK_INVALID_SECRET when `secret` makes no key (empty, or `whsec_` without base64 after it):
 * a signature made with an empty key proves nothing.
 */
export function verifyWebhook(secret: string, headers: Headers, body: string | Buffer, options: VerifyWebhookOptions = {}): string {
  const bad = signingSecretProblem(secret);
  if (bad !== undefined) throw new WebhookVerificationError('WEBHOOK_INVALID_SECRET', `the receiver's secret is unusable: ${bad}`);
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  for (const [name, v] of [['webhook-id', id], ['webhook-timestamp', ts], ['webhook-signature', signatures]])
    if (!v) throw new WebhookVerificationError('WEBHOOK_MISSING_HEADER', `missing header ${name}`);
  if (!/^\d+$/.test(ts!)) throw new WebhookVerificationError('WEBHOOK_INVALID_TIMESTAMP', 'webhook-timestamp is not integer seconds');
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs((options.now ?? Date.now()) / 1000 - Number(ts)) > tolerance)
    throw new WebhookVerificationError('WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', `webhook-timestamp is more than ${tolerance} s from now`);
  const expected = Buffer.from(signWebhook(signingKey(secret), id!, Number(ts), body));
  // Several space-separated signatures may be sent during a secret rotation: one match is enough.
  for (const candidate of signatures!.split(' ')) {
    const got = Buffer.from(candidate);
    if (got.length === expected.length && timingSafeEqual(got, expected)) return id!;
  }
  throw new WebhookVerificationError('WEBHOOK_NO_MATCHING_SIGNATURE', 'no webhook-signature matches the body and secret');
}
