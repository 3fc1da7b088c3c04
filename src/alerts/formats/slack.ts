import type { Alert } from '../../interfaces/alert';
import { groupText } from './group-text';
import { victimText } from './victim-text';
import type { RenderedBody } from './rendered-body';

/** Slack refuses (400) a section text over 3000 characters: cut, and say so. */
const SECTION_MAX = 3000;

/** Slack's mrkdwn treats these three as control characters; everything else is literal. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string): string {
  return text.length <= SECTION_MAX ? text : text.slice(0, SECTION_MAX - 1) + '…';
}

/**
 * A Slack incoming-webhook body: `text` (also the notification fallback) plus Block Kit blocks,
 * a header line, a victim line (when the alert has one) and a context line with host, group and
 * aggregates.
 */
export function slack(alert: Alert): RenderedBody {
  const state = alert.status === 'firing' ? 'FIRING' : 'RESOLVED';
  const headline = `[${state}] ${alert.rule.severity.toUpperCase()} ${alert.rule.name}: ${alert.summary}`;
  const aggregates = Object.entries(alert.aggregates)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const context = [`host ${alert.host}`, groupText(alert.group), aggregates, `rule ${alert.rule.id}`].filter((s) => s !== '');
  const v = alert.victim;
  const victim = v ? [`victim ${victimText(v)}`, v.process ? `cmdline ${v.process.cmdline}` : '', v.note ?? ''].filter((s) => s !== '').join(' | ') : '';
  const body = {
    text: escapeSlack(headline),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cut(escapeSlack(headline)) } },
      ...(victim ? [{ type: 'section', text: { type: 'mrkdwn', text: cut(escapeSlack(victim)) } }] : []),
      { type: 'context', elements: context.map((c) => ({ type: 'mrkdwn', text: escapeSlack(c) })) },
    ],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
