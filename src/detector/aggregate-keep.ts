import { AGGREGATE_KEEP_FIELDS, type AggregateKeepField } from '../collector/collector';
import type { CompiledRule } from '../rules/compiled-rule';
import { factsOf } from '../rules/compiler';
import type { NestedCondition } from '../rules/resolve-condition';

/** Per rule: computed once, asked for every batch that says what its aggregates lack. */
const needed = new WeakMap<CompiledRule, readonly AggregateKeepField[]>();

/**
 * The per-packet fields in-kernel aggregates must keep for `rule` to judge them exactly as full
 * events: those it matches on, groups by or counts distinct values of.
 */
export function aggregateFieldsOf(rule: CompiledRule): readonly AggregateKeepField[] {
  let fields = needed.get(rule);
  if (!fields) {
    const used = factsOf(rule.matchConditions as NestedCondition, new Set<string>());
    for (const f of rule.groupBy) used.add(f);
    for (const f of rule.distinctFields) used.add(f);
    fields = AGGREGATE_KEEP_FIELDS.filter((f) => used.has(f));
    needed.set(rule, fields);
  }
  return fields;
}

/**
 * The per-packet fields in-kernel aggregates keep for `rules`: those some rule needs. The others
 * (the peer's port, the socket, the task) are left out of the key, which is what lets a flood
 * from randomized source ports collapse into one aggregate per peer address and time slice.
 */
export function aggregateKeepOf(rules: readonly CompiledRule[]): AggregateKeepField[] {
  const used = new Set<AggregateKeepField>();
  for (const rule of rules) for (const f of aggregateFieldsOf(rule)) used.add(f);
  return AGGREGATE_KEEP_FIELDS.filter((f) => used.has(f));
}
