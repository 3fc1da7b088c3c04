import { isEventField, type TcpEvent } from '../interfaces/tcp-event';
import { cidrMatcher } from './cidr';
import type { NestedCondition } from './resolve-condition';

type Predicate = (event: TcpEvent) => boolean;

/**
 * The Set or CIDR matcher of a list of values, built once per list: a named list (or a list in a
 * shared condition) is one array however many rules use it, and every rule's match and batch
 * matcher would otherwise hold a copy of it.
 */
const sets = new WeakMap<unknown[], Set<unknown>>();
const cidrs = new WeakMap<unknown[], ReturnType<typeof cidrMatcher>>();

function setOf(values: unknown[]): Set<unknown> {
  let set = sets.get(values);
  if (!set) sets.set(values, (set = new Set(values)));
  return set;
}

function cidrMatcherOf(value: unknown): ReturnType<typeof cidrMatcher> {
  if (!Array.isArray(value)) return cidrMatcher([value as string]);
  let matcher = cidrs.get(value);
  if (!matcher) cidrs.set(value, (matcher = cidrMatcher(value as string[])));
  return matcher;
}

/**
 * Compiles a resolved `match` condition (shared conditions inlined) to one JavaScript function.
 *
 * `match` runs for every event and every candidate rule, so it can go neither through
 * json-rules-engine (a promise and an almanac per run) nor through a tree of small closures: such
 * closures share their code across all rules, their call sites and property loads turn
 * megamorphic, and the measured cost grew several-fold with the number of rules. A function built
 * per rule has its own inline caches. Only validated event field names (identifiers from
 * EVENT_FIELDS) and JSON literals enter its source; every other value is passed in as a constant.
 * The operators mean what json-rules-engine's do.
 */
export function matchPredicate(cond: NestedCondition): Predicate {
  const constants: unknown[] = [];
  const body = expression(cond, constants);
  return new Function('k', `"use strict"; return function match(e) { return ${body}; };`)(constants) as Predicate;
}

/** Writes the indices of the matching events into `out` (at least `events.length` long) and returns how many there are. */
export type BatchMatcher = (events: TcpEvent[], out: Uint32Array) => number;

/**
 * The same condition as a loop over a batch: the engine's hot path. With the loop inside the
 * rule's own function the condition is inlined in it, where a shared loop calling each rule's
 * `match` would make one megamorphic call per event and rule.
 */
export function batchMatcher(cond: NestedCondition): BatchMatcher {
  const constants: unknown[] = [];
  const body = expression(cond, constants);
  return new Function(
    'k',
    `"use strict"; return function matchAll(events, out) { let n = 0; for (let i = 0; i < events.length; i++) { const e = events[i]; if (${body}) out[n++] = i; } return n; };`,
  )(constants) as BatchMatcher;
}

function literal(value: unknown, constants: unknown[]): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return JSON.stringify(value);
  constants.push(value);
  return `k[${constants.length - 1}]`;
}

function expression(cond: NestedCondition, constants: unknown[]): string {
  if ('all' in cond) return cond.all.length === 0 ? 'true' : `(${cond.all.map((c) => expression(c as NestedCondition, constants)).join(' && ')})`;
  // json-rules-engine holds an empty `any` true as well (the schema rejects empty lists anyway).
  if ('any' in cond) return cond.any.length === 0 ? 'true' : `(${cond.any.map((c) => expression(c as NestedCondition, constants)).join(' || ')})`;
  if ('not' in cond) return `!${expression(cond.not as NestedCondition, constants)}`;
  if ('condition' in cond) throw new Error(`shared condition '${cond.condition}' must be inlined before compiling a match`);
  const field = cond.fact;
  if (!isEventField(field) || !/^[a-z]+$/.test(field)) throw new Error(`'${field}' passed validation but is not an event field`);
  const v = `e.${field}`;
  const value = cond.value;
  const constant = (x: unknown) => {
    constants.push(x);
    return `k[${constants.length - 1}]`;
  };
  switch (cond.operator) {
    case 'equal':
      return `(${v} === ${literal(value, constants)})`;
    case 'notEqual':
      return `(${v} !== ${literal(value, constants)})`;
    case 'lessThan':
      return `(typeof ${v} === "number" && ${v} < ${literal(value, constants)})`;
    case 'lessThanInclusive':
      return `(typeof ${v} === "number" && ${v} <= ${literal(value, constants)})`;
    case 'greaterThan':
      return `(typeof ${v} === "number" && ${v} > ${literal(value, constants)})`;
    case 'greaterThanInclusive':
      return `(typeof ${v} === "number" && ${v} >= ${literal(value, constants)})`;
    case 'in':
      return `${constant(setOf(value as unknown[]))}.has(${v})`;
    case 'notIn':
      return `!${constant(setOf(value as unknown[]))}.has(${v})`;
    case 'inCidr':
      return `${constant(cidrMatcherOf(value))}(${v})`;
    case 'notInCidr':
      return `!${constant(cidrMatcherOf(value))}(${v})`;
    default:
      throw new Error(`operator '${cond.operator}' passed validation but has no compiled form`);
  }
}
