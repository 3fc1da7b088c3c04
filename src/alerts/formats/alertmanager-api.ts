import type { Alert } from '../../interfaces/alert';
import { alertmanagerAnnotations, alertmanagerLabels } from './alertmanager-labels';
import { isoTime } from './iso-time';
import type { RenderedBody } from './rendered-body';
import { fillPlaceholders } from './template';

/** The link back for `alert`: the sink's `generatorUrl` with each `{{field.path}}` URL-encoded. */
export function generatorUrl(alert: Alert, source: string): string {
  return fillPlaceholders(alert, source, (value) => encodeURIComponent(value));
}

/**
 * The body of `POST /api/v2/alerts` (Alertmanager's postableAlerts) holding one alert. `endsAt` is
 * the sink's choice: while firing, a time a few re-sends ahead, so Alertmanager keeps the alert
 * active between re-sends and resolves it by itself if they stop; when resolved, the resolution
 * time. `link` (optional) goes into `generatorURL` and the `link` annotation.
 */
export function postableAlerts(alert: Alert, endsAt: number, link?: string): RenderedBody {
  const annotations = alertmanagerAnnotations(alert);
  // Alertmanager answers 400 to an end before the start: a clock step or odd event times must not cost the alert.
  const end = Math.max(endsAt, alert.startsAt);
  const postable = {
    labels: alertmanagerLabels(alert),
    annotations: link ? { ...annotations, link } : annotations,
    startsAt: isoTime(alert.startsAt),
    endsAt: isoTime(end),
    // The spec types it as a URI: left out rather than sent empty.
    ...(link ? { generatorURL: link } : {}),
  };
  return { body: JSON.stringify([postable]), contentType: 'application/json' };
}
