import { EVENT_KINDS, type EventKind } from '../interfaces/tcp-event';
import type { NestedCondition } from './resolve-condition';

/**
 * The event kinds a resolved `match` can accept, or undefined when it does not restrict the kind.
 * The engine indexes rules by kind with this, so an event is only tested against rules that can
 * take it. Conservative: anything it cannot reason about counts as "any kind".
 */
export function kindsOf(cond: NestedCondition): Set<EventKind> | undefined {
  if ('all' in cond) {
    let result: Set<EventKind> | undefined;
    for (const c of cond.all) {
      const k = kindsOf(c as NestedCondition);
      if (k) result = result ? new Set([...result].filter((x) => k.has(x))) : k;
    }
    return result;
  }
  if ('any' in cond) {
    const result = new Set<EventKind>();
    for (const c of cond.any) {
      const k = kindsOf(c as NestedCondition);
      if (!k) return undefined;
      for (const x of k) result.add(x);
    }
    return result;
  }
  if ('fact' in cond && cond.fact === 'kind') {
    const values = cond.operator === 'equal' ? [cond.value] : cond.operator === 'in' ? (cond.value as unknown[]) : undefined;
    if (!values) return undefined;
    return new Set(EVENT_KINDS.filter((k) => values.includes(k)));
  }
  return undefined;
}
