import type { TopLevelCondition } from 'json-rules-engine';
import type { RuleCatalog } from './rule-catalog';
import type { ConditionDefinition } from './rule-definition';

/** A json-rules-engine condition at any depth (the package does not export this union). */
export type NestedCondition = TopLevelCondition | FactCondition;
export interface FactCondition {
  fact: string;
  operator: string;
  value: unknown;
}

/**
 * Turns a validated condition into json-rules-engine's form: `{ list: NAME }` values become the
 * list's values; shared conditions are either inlined (`inline`) or kept as references, whose
 * names are added to `used` so the caller can define them with `setCondition`.
 */
export function resolveCondition(cond: ConditionDefinition, catalog: RuleCatalog, inline: boolean, used: Set<string>): NestedCondition {
  if (cond.all) return { all: cond.all.map((c) => resolveCondition(c, catalog, inline, used)) };
  if (cond.any) return { any: cond.any.map((c) => resolveCondition(c, catalog, inline, used)) };
  if (cond.not) return { not: resolveCondition(cond.not, catalog, inline, used) };
  if (cond.condition !== undefined) {
    used.add(cond.condition);
    const shared = catalog.conditions.get(cond.condition);
    if (!inline || !shared) return { condition: cond.condition };
    return resolveCondition(shared.value, catalog, inline, used);
  }
  const ref = cond.value as { list?: string } | null;
  const value = ref !== null && typeof ref === 'object' && !Array.isArray(ref) ? catalog.lists.get(ref.list as string)?.value : cond.value;
  return { fact: cond.fact as string, operator: cond.operator as string, value };
}

/** json-rules-engine wants all/any/not/condition at the top of a rule; a lone fact condition is wrapped in `all`. */
export function topLevel(cond: NestedCondition): TopLevelCondition {
  return 'fact' in cond ? { all: [cond] } : cond;
}
