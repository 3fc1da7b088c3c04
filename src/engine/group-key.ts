import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';

/** Separates group values in a group key and a dedup key. */
export const GROUP_SEPARATOR = '|';

/**
 * The group an event falls in for a rule: its `group_by` values joined by `|` (empty values for
 * absent fields), or undefined when the rule does not match the event. Queue partitioning uses
 * this so that all events of one group reach the one worker that owns it.
 */
export function groupKeyOf(rule: CompiledRule, event: TcpEvent): string | undefined {
  if (rule.kinds && !rule.kinds.includes(event.kind)) return undefined;
  if (!rule.match(event)) return undefined;
  return groupKey(rule.groupBy, event);
}

/** The group key of an event already known to match. */
export function groupKey(fields: CompiledRule['groupBy'], event: TcpEvent): string {
  let key = '';
  for (let i = 0; i < fields.length; i++) {
    const v = event[fields[i]];
    key += i === 0 ? (v ?? '') : GROUP_SEPARATOR + (v ?? '');
  }
  return key;
}
