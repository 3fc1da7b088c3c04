import { signWebhook } from '../sign-webhook';
import { signingKey } from '../signing-key';
import type { AttemptResult } from './attempt-result';
import type { DeliveryJob } from './delivery-job';
import { httpPost, InvalidRequestError } from './http-post';
import { parseRetryAfter } from './retry-after';
import type { WebhookTarget } from './webhook-target';

const USER_AGENT = 'tcpwarden-alerts/1';

/**
 * A TLS handshake refused on protocol grounds: `https://` pointed at a plain-HTTP port answers
 * `EPROTO` (wrong version number), and OpenSSL's own failures come as `ERR_SSL_*`. Every retry
 * would fail the same way, so the delivery is dead-lettered at once with the code as its reason.
 * Certificate errors (expired, unknown issuer) stay retryable: a receiver may renew in time.
 */
function isTlsProtocolError(code: string): boolean {
  return code === 'EPROTO' || code.startsWith('ERR_SSL_');
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * One POST of `job` to `target`, signed afresh (Standard Webhooks: the timestamp is the attempt's,
 * the id the alert's). Redirects are not followed: a moved endpoint is a config mistake for a
 * person to fix, and following would send the alert somewhere nobody configured.
 */
export async function attemptDelivery(target: WebhookTarget, job: DeliveryJob, now: () => number = Date.now, signal?: AbortSignal): Promise<AttemptResult> {
  const timestamp = Math.floor(now() / 1000);
  const headers: Record<string, string> = {
    'content-type': job.contentType,
    'user-agent': USER_AGENT,
    'webhook-id': job.alertId,
    'webhook-timestamp': String(timestamp),
  };
  if (target.signingKey) headers['webhook-signature'] = signWebhook(signingKey(target.signingKey.reveal()), job.alertId, timestamp, job.body);
  for (const [name, value] of Object.entries(target.headers)) headers[name] = value.reveal();
  let status: number;
  let retryAfter: string | null;
  try {
    ({ status, retryAfter } = await httpPost(new URL(target.url.reveal()), headers, job.body, target.timeoutMs, signal));
  } catch (err) {
    // The error's code (ECONNREFUSED, ECONNRESET, timeout, ...), never its message, which could quote the URL.
    if (err instanceof InvalidRequestError) return { outcome: 'reject', reason: err.code };
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') return { outcome: 'retry', reason: 'network_error' };
    return { outcome: isTlsProtocolError(code) ? 'reject' : 'retry', reason: code };
  }
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (isRetryableStatus(status)) return { outcome: 'retry', reason: `http_${status}`, status, retryAfterMs: parseRetryAfter(retryAfter, now()) };
  return { outcome: 'reject', reason: `http_${status}`, status };
}
