import { createHash } from 'node:crypto';
import type { Alert } from '../../interfaces/alert';
import { isoTime } from './iso-time';
import type { RenderedBody } from './rendered-body';
import { victimLabels, victimText } from './victim-text';

/** Alertmanager's "zero time": how a still-firing alert says it has no end. */
const NO_END = '0001-01-01T00:00:00Z';

/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*; group fields already are, this is for safety. */
function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(clean) ? clean : `_${clean}`;
}

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
 * (see docs/alerts.md for the label and annotation mapping). `receiver` is the sink id.
 */
export function alertmanager(alert: Alert, receiver: string): RenderedBody {
  const labels: Record<string, string> = { alertname: alert.rule.id, severity: alert.rule.severity, host: alert.host };
  for (const [k, v] of Object.entries(alert.group)) labels[labelName(k)] ??= String(v);
  if (alert.victim) for (const [k, v] of Object.entries(victimLabels(alert.victim))) labels[k] ??= v;
  const annotations: Record<string, string> = {
    summary: alert.summary,
    description: alert.rule.name,
    tags: alert.rule.tags.join(','),
    aggregates: Object.entries(alert.aggregates)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    netns: alert.netns.join(','),
    window: `${isoTime(alert.window.start)}/${isoTime(alert.window.end)}`,
    dedup_key: alert.dedupKey,
    lost_events: String(alert.loss.events),
  };
  if (alert.victim) {
    annotations.victim = victimText(alert.victim);
    if (alert.victim.process) annotations.victim_cmdline = alert.victim.process.cmdline;
    if (alert.victim.note) annotations.victim_note = alert.victim.note;
  }
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
