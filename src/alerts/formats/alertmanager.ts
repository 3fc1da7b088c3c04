import { createHash } from 'node:crypto';
import type { Alert } from '../../interfaces/alert';
import { alertmanagerAnnotations, alertmanagerLabels } from './alertmanager-labels';
import { isoTime } from './iso-time';
import type { RenderedBody } from './rendered-body';

/** Alertmanager's "zero time": how a still-firing alert says it has no end. */
const NO_END = '0001-01-01T00:00:00Z';

/** 16 hex digits over the sorted label set, like Alertmanager's own fingerprint: same labels, same fingerprint. */
function fingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\xff${labels[k]}\xff`)
    .join('');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * An Alertmanager webhook (version 4) body holding one alert: for receivers built for Alertmanager
 * (see docs/alerts.md for the label and annotation mapping). `receiver` is the sink id. Not for
 * Alertmanager itself, which takes alerts through its API: see alertmanager-api.ts.
 */
export function alertmanager(alert: Alert, receiver: string): RenderedBody {
  const labels = alertmanagerLabels(alert);
  const annotations = alertmanagerAnnotations(alert);
  const groupLabels = { alertname: alert.rule.id };
  const body = {
    version: '4',
    groupKey: `{}:{alertname="${alert.rule.id}"}`,
    truncatedAlerts: 0,
    status: alert.status,
    receiver,
    groupLabels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: '',
    alerts: [
      {
        status: alert.status,
        labels,
        annotations,
        startsAt: isoTime(alert.startsAt),
        endsAt: alert.status === 'resolved' ? isoTime(alert.endsAt ?? alert.window.end) : NO_END,
        generatorURL: '',
        fingerprint: fingerprint(labels),
      },
    ],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
