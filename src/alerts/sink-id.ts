import { createHash } from 'node:crypto';

/**
 * The default id of a webhook sink: a hash of its URL, never the URL itself, because webhook URLs
 * often carry a token (Slack's do) and the id is logged and written to the dead-letter list.
 */
export function defaultWebhookSinkId(url: string): string {
  return 'webhook-' + createHash('sha256').update(url).digest('hex').slice(0, 12);
}
