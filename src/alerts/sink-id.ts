import { createHash } from 'node:crypto';

/**
 * The default id of a webhook sink: a hash of its URL, never the URL itself, because webhook URLs
 * often carry a token (Slack's do) and the id is logged and written to the dead-letter list.
 */
export function defaultWebhookSinkId(url: string): string {
  return 'webhook-' + createHash('sha256').update(url).digest('hex').slice(0, 12);
}

/** The default id of an alertmanager sink: a hash of its URLs, for the same reason. */
export function defaultAlertmanagerSinkId(urls: string[]): string {
  return 'alertmanager-' + createHash('sha256').update(urls.join('\n')).digest('hex').slice(0, 12);
}

/**
 * The id one Alertmanager of a sink is delivered under (in jobs, dead letters, metrics): `#` is
 * not allowed in sink ids, so it never clashes with another sink's.
 */
export function alertmanagerTargetId(sinkId: string, index: number): string {
  return `${sinkId}#${index}`;
}
