import type { Alert } from '../../interfaces/alert';
import { isoTime } from './iso-time';
import type { RenderedBody } from './rendered-body';

/** Bumped when a field changes meaning or goes away; new fields do not bump it. */
export const GENERIC_JSON_VERSION = 1;

/** tcpwarden's own body: the Alert, with times as RFC 3339 strings (see docs/alerts.md). */
export function genericJson(alert: Alert): RenderedBody {
  const body = {
    version: GENERIC_JSON_VERSION,
    id: alert.id,
    dedupKey: alert.dedupKey,
    status: alert.status,
    rule: alert.rule,
    group: alert.group,
    window: { start: isoTime(alert.window.start), end: isoTime(alert.window.end) },
    aggregates: alert.aggregates,
    summary: alert.summary,
    host: alert.host,
    netns: alert.netns,
    samples: alert.samples,
    loss: alert.loss,
    ...(alert.aggregated !== undefined ? { aggregated: alert.aggregated } : {}),
    startsAt: isoTime(alert.startsAt),
    ...(alert.endsAt !== undefined ? { endsAt: isoTime(alert.endsAt) } : {}),
    ...(alert.victim !== undefined ? { victim: alert.victim } : {}),
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
