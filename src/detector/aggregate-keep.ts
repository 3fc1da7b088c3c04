import { AGGREGATE_KEEP_FIELDS, type AggregateKeepField } from '../collector/collector';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';
import { factsOf } from '../rules/compiler';
import type { NestedCondition } from '../rules/resolve-condition';

/**
 * The per-packet fields in-kernel aggregates must keep for `rules` to judge them exactly as
 * full events: those a rule matches on, groups by or counts distinct values of. The others
 * (the peer's port, the socket, the task) are left out of the key, which is what lets a flood
 * from randomized source ports collapse into one aggregate per peer address and time slice.
 * Without rules (a collector that does not know the engines' rules) every field is kept.
 */
export function aggregateKeepOf(rules: readonly CompiledRule[] | undefined): AggregateKeepField[] {
  if (!rules) return [...AGGREGATE_KEEP_FIELDS];
  const used = new Set<string>();
  for (const rule of rules) {
    factsOf(rule.matchConditions as NestedCondition, used);
    for (const f of rule.groupBy) used.add(f);
    for (const f of rule.distinctFields) used.add(f);
  }
  return AGGREGATE_KEEP_FIELDS.filter((f: keyof TcpEvent) => used.has(f));
}
