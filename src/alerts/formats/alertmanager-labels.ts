import type { Alert } from '../../interfaces/alert';
import { isoTime } from './iso-time';

/**
 * Alertmanager (0.25 and most deployed versions) accepts only Prometheus's classic label names,
 * [a-zA-Z_][a-zA-Z0-9_]*, and answers 400 to anything else: other characters become `_`.
 */
export function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(clean) ? clean : `_${clean}`;
}

/**
 * An alert's Alertmanager labels, the identity Alertmanager routes, groups, silences and
 * inhibits on: `alertname` (the rule id), `severity`, `host`, then each group field. The fixed
 * names come first and win a clash; further label sources (the victim's names) go in here, after
 * them, so every Alertmanager body carries the same set.
 */
export function alertmanagerLabels(alert: Alert): Record<string, string> {
  const labels: Record<string, string> = { alertname: alert.rule.id, severity: alert.rule.severity, host: alert.host };
  for (const [k, v] of Object.entries(alert.group)) labels[labelName(k)] ??= String(v);
  return labels;
}

/** An alert's Alertmanager annotations: what a person reads, never part of the alert's identity. */
export function alertmanagerAnnotations(alert: Alert): Record<string, string> {
  return {
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
}
