import { signWebhook } from '../sign-webhook';
import { signingKey } from '../signing-key';
import type { AttemptResult } from './attempt-result';
import type { DeliveryJob } from './delivery-job';
import { parseRetryAfter } from './retry-after';
import type { WebhookTarget } from './webhook-target';

const USER_AGENT = 'tcpwarden-alerts/1';

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The error's code (ECONNREFUSED, UND_ERR_SOCKET, ...) and never its message, which could quote the URL. */
function networkReason(err: unknown): string {
  // By name, not instanceof: the abort is a DOMException, which may come from another realm.
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : 'network_error';
}

/**
 * One POST of `job` to `target`, signed afresh (Standard Webhooks: the timestamp is the attempt's,
 * the id the alert's). Redirects are not followed: fetch would turn the POST into a GET, and a
 * moved endpoint is a config mistake for a person to fix.
 */
export async function attemptDelivery(target: WebhookTarget, job: DeliveryJob, now: () => number = Date.now): Promise<AttemptResult> {
  const timestamp = Math.floor(now() / 1000);
  const headers: Record<string, string> = {
    'content-type': job.contentType,
    'user-agent': USER_AGENT,
    'webhook-id': job.alertId,
    'webhook-timestamp': String(timestamp),
  };
  if (target.signingKey) headers['webhook-signature'] = signWebhook(signingKey(target.signingKey.reveal()), job.alertId, timestamp, job.body);
  for (const [name, value] of Object.entries(target.headers)) headers[name] = value.reveal();
  let response: Response;
  try {
    response = await fetch(target.url.reveal(), {
      method: 'POST',
      headers,
      body: job.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    // Read the answer to the end so the connection goes back to the pool.
    await response.arrayBuffer();
  } catch (err) {
    return { outcome: 'retry', reason: networkReason(err) };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (isRetryableStatus(status))
    return { outcome: 'retry', reason: `http_${status}`, status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()) };
  return { outcome: 'reject', reason: `http_${status}`, status };
}
