import { createHash } from 'node:crypto';
import type { TopLevelCondition } from 'json-rules-engine';
import type { TcpEvent } from '../interfaces/tcp-event';
import { distinctField } from './aggregates';
import type { CompiledRule, EventField } from './compiled-rule';
import { diagnostic, type Diagnostic } from './diagnostic';
import { parseDuration } from './duration';
import { kindsOf } from './kinds-of';
import { batchMatcher, cidrFieldsOf, matchPredicate } from './match-predicate';
import { resolveCondition, topLevel, type NestedCondition } from './resolve-condition';
import type { RuleCatalog } from './rule-catalog';

const DEFAULT_COOLDOWN_MS = 5 * 60_000;

/** Facts named anywhere in a resolved condition (also what a rule's `matchConditions` name). */
export function factsOf(cond: NestedCondition, out: Set<string>): Set<string> {
  if ('all' in cond) for (const c of cond.all) factsOf(c as NestedCondition, out);
  else if ('any' in cond) for (const c of cond.any) factsOf(c as NestedCondition, out);
  else if ('not' in cond) factsOf(cond.not as NestedCondition, out);
  else if ('fact' in cond) out.add(cond.fact);
  return out;
}

/**
 * Stage 3 of the loader: validated definitions to runnable rules (a compiled `match` closure,
 * window settings, and `when` for json-rules-engine). Disabled rules are left out, with a note.
 */
export function compileRules(catalog: RuleCatalog): { rules: CompiledRule[]; diagnostics: Diagnostic[] } {
  const rules: CompiledRule[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { value: def, source, path } of catalog.rules) {
    if (def.enabled === false) continue;
    const matchExpanded = resolveCondition(def.match, catalog, true, new Set());
    const whenExpanded = resolveCondition(def.when, catalog, true, new Set());
    const usedShared = new Set<string>();
    const when = topLevel(resolveCondition(def.when, catalog, false, usedShared));
    const sharedConditions: Record<string, TopLevelCondition> = {};
    for (const name of usedShared) {
      const shared = catalog.conditions.get(name);
      if (shared) sharedConditions[name] = topLevel(resolveCondition(shared.value, catalog, false, usedShared));
    }
    const kinds = kindsOf(matchExpanded);
    if (!kinds) {
      diagnostics.push(
        diagnostic('rule.no-kind', source.locate([...path, 'match']), 'match does not restrict the event kind, so every event is tested against this rule', {
          ruleId: def.id,
          accepted: "a condition { fact: kind, operator: equal or in, value: ... } in match's top-level all",
        }),
      );
    }
    const distinct = new Set<EventField>();
    const named = [...factsOf(whenExpanded, new Set()), ...[...def.summary.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1])];
    for (const name of named) {
      const field = distinctField(name);
      if (field) distinct.add(field);
    }
    const windowMs = parseDuration(def.window) as number;
    const fingerprintOf = {
      def: { ...def, match: matchExpanded, when: whenExpanded, description: undefined, name: undefined },
    };
    rules.push({
      id: def.id,
      name: def.name,
      description: def.description ?? '',
      severity: def.severity,
      tags: def.tags ?? [],
      fingerprint: createHash('sha256').update(JSON.stringify(fingerprintOf)).digest('hex').slice(0, 16),
      location: source.locate(path),
      kinds: kinds ? [...kinds] : undefined,
      match: matchPredicate(matchExpanded) as (e: TcpEvent) => boolean,
      matchAll: batchMatcher(matchExpanded),
      cidrFields: [...cidrFieldsOf(matchExpanded)],
      matchConditions: topLevel(matchExpanded),
      groupBy: (def.group_by ?? []) as EventField[],
      windowMs,
      cooldownMs: def.cooldown ? (parseDuration(def.cooldown) as number) : DEFAULT_COOLDOWN_MS,
      resolveMs: def.resolve ? (parseDuration(def.resolve) as number) : windowMs,
      distinctFields: [...distinct],
      baseline: def.baseline ? { windows: def.baseline.windows, minCount: def.baseline.min_count ?? 0 } : undefined,
      when,
      sharedConditions,
      summary: def.summary,
    });
  }
  return { rules, diagnostics };
}
