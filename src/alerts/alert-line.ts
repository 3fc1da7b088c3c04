import type { Alert } from '../interfaces/alert';
import { groupText } from './formats/group-text';
import { victimText } from './formats/victim-text';

/** One readable line: time, state, severity, rule, host, group, aggregates, victim, summary. */
export function alertLine(alert: Alert): string {
  const at = new Date(alert.status === 'resolved' ? (alert.endsAt ?? alert.window.end) : alert.window.end).toISOString();
  const aggregates = Object.entries(alert.aggregates)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const fields = [at, alert.status.toUpperCase(), alert.rule.severity, alert.rule.id, `host=${alert.host}`, groupText(alert.group), aggregates, alert.victim ? `[victim ${victimText(alert.victim)}]` : ''];
  const loss = alert.loss.events > 0 ? ` (${alert.loss.events} events lost upstream)` : '';
  return `${fields.filter((f) => f !== '').join(' ')}: ${alert.summary}${loss}`;
}
