import type { TcpEvent } from '../interfaces/tcp-event';
import { cidrMatcher } from './cidr';
import { FIELD_GETTERS } from './field-getters';
import type { NestedCondition } from './resolve-condition';

type Predicate = (event: TcpEvent) => boolean;

/**
 * Compiles a resolved `match` condition (shared conditions inlined) to a closure. `match` runs for
 * every event and every candidate rule, so it cannot go through json-rules-engine (whose promise
 * per run costs microseconds); the closures give json-rules-engine's operators the same meaning.
 */
export function matchPredicate(cond: NestedCondition): Predicate {
  if ('all' in cond) {
    const parts = cond.all.map((c) => matchPredicate(c as NestedCondition));
    return (e) => {
      for (const p of parts) if (!p(e)) return false;
      return true;
    };
  }
  if ('any' in cond) {
    const parts = cond.any.map((c) => matchPredicate(c as NestedCondition));
    return (e) => {
      for (const p of parts) if (p(e)) return true;
      return false;
    };
  }
  if ('not' in cond) {
    const inner = matchPredicate(cond.not as NestedCondition);
    return (e) => !inner(e);
  }
  if ('condition' in cond) throw new Error(`shared condition '${cond.condition}' must be inlined before compiling a match`);
  return factPredicate(cond.fact as keyof TcpEvent, cond.operator, cond.value);
}

function factPredicate(field: keyof TcpEvent, operator: string, value: unknown): Predicate {
  const get = FIELD_GETTERS[field];
  switch (operator) {
    case 'equal':
      return (e) => get(e) === value;
    case 'notEqual':
      return (e) => get(e) !== value;
    case 'lessThan':
      return (e) => {
        const v = get(e);
        return typeof v === 'number' && v < (value as number);
      };
    case 'lessThanInclusive':
      return (e) => {
        const v = get(e);
        return typeof v === 'number' && v <= (value as number);
      };
    case 'greaterThan':
      return (e) => {
        const v = get(e);
        return typeof v === 'number' && v > (value as number);
      };
    case 'greaterThanInclusive':
      return (e) => {
        const v = get(e);
        return typeof v === 'number' && v >= (value as number);
      };
    case 'in': {
      const set = new Set(value as unknown[]);
      return (e) => set.has(get(e));
    }
    case 'notIn': {
      const set = new Set(value as unknown[]);
      return (e) => !set.has(get(e));
    }
    case 'inCidr': {
      const inside = cidrMatcher(Array.isArray(value) ? value : [value as string]);
      return (e) => inside(get(e));
    }
    case 'notInCidr': {
      const inside = cidrMatcher(Array.isArray(value) ? value : [value as string]);
      return (e) => !inside(get(e));
    }
    default:
      throw new Error(`operator '${operator}' passed validation but has no compiled form`);
  }
}
