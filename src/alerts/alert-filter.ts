import { SEVERITIES, type Alert } from '../interfaces/alert';
import type { AlertFilterConfig } from './sink-config';

/** Whether a sink configured with `filter` takes `alert`. */
export function acceptsAlert(filter: AlertFilterConfig, alert: Alert): boolean {
  if (alert.status === 'resolved' && filter.resolved === false) return false;
  if (filter.minSeverity && SEVERITIES.indexOf(alert.rule.severity) < SEVERITIES.indexOf(filter.minSeverity)) return false;
  if (filter.rules && !filter.rules.includes(alert.rule.id)) return false;
  if (filter.tags && !filter.tags.some((t) => alert.rule.tags.includes(t))) return false;
  return true;
}
