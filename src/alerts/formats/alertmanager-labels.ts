import type { Alert } from '../../interfaces/alert';
import { isoTime } from './iso-time';
import { victimLabels, victimText } from './victim-text';

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
 * inhibits on: `alertname` (the rule id), `severity`, `host`, then each group field, then the
 * victim's names (`netns_name`, `container`, `pod`, `service`: stable for an episode, the process
 * is not a label). The fixed names come first and win a clash, so every Alertmanager body carries
 * the same set.
 */
export function alertmanagerLabels(alert: Alert): Record<string, string> {
  const labels: Record<string, string> = { alertname: alert.rule.id, severity: alert.rule.severity, host: alert.host };
  for (const [k, v] of Object.entries(alert.group)) labels[labelName(k)] ??= String(v);
  if (alert.victim) for (const [k, v] of Object.entries(victimLabels(alert.victim))) labels[k] ??= v;
  return labels;
}

/** An alert's Alertmanager annotations: what a person reads, never part of the alert's identity. */
export function alertmanagerAnnotations(alert: Alert): Record<string, string> {
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
  const v = alert.victim;
  if (v) {
    annotations.victim = victimText(v);
    if (v.process) annotations.victim_cmdline = v.process.cmdline;
    if (v.note) annotations.victim_note = v.note;
  }
  return annotations;
}
