import { createHmac } from 'node:crypto';

/** One Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, the body as its raw bytes. */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string | Buffer): string {
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
}
