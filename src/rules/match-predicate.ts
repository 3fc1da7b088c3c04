import { isEventField, type TcpEvent } from '../interfaces/tcp-event';
import type { AddressColumns } from './address-columns';
import { cidrMatcher, type CidrMatcher } from './cidr';
import type { NestedCondition } from './resolve-condition';

type Predicate = (event: TcpEvent) => boolean;

/**
 * The Set or CIDR matcher of a list of values, built once per list: a named list (or a list in a
 * shared condition) is one array however many rules use it, and every rule's match and batch
 * matcher would otherwise hold a copy of it.
 */
const sets = new WeakMap<unknown[], Set<unknown>>();
const cidrs = new WeakMap<unknown[], CidrMatcher>();

function setOf(values: unknown[]): Set<unknown> {
  let set = sets.get(values);
  if (!set) sets.set(values, (set = new Set(values)));
  return set;
}

function cidrMatcherOf(value: unknown): CidrMatcher {
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
  const body = expression(cond, constants, undefined);
  return new Function('k', `"use strict"; return function match(e) { return ${body}; };`)(constants) as Predicate;
}

/**
 * Writes the indices of the matching events into `out` (at least `events.length` long) and
 * returns how many there are. `addresses` holds the events' parsed addresses of the fields
 * `cidrFieldsOf` the condition names.
 */
export type BatchMatcher = (events: TcpEvent[], out: Uint32Array, addresses: AddressColumns) => number;

/**
 * The same condition as a loop over a batch: the engine's hot path. With the loop inside the
 * rule's own function the condition is inlined in it, where a shared loop calling each rule's
 * `match` would make one megamorphic call per event and rule. Its CIDR tests read the addresses
 * parsed once per batch (see AddressColumns).
 */
export function batchMatcher(cond: NestedCondition): BatchMatcher {
  const constants: unknown[] = [];
  const columns = new Set<string>();
  const body = expression(cond, constants, columns);
  const reads = [...columns].map((f) => `const a_${f} = a.${f};`).join(' ');
  return new Function(
    'k',
    `"use strict"; return function matchAll(events, out, a) { ${reads} let n = 0; for (let i = 0; i < events.length; i++) { const e = events[i]; if (${body}) out[n++] = i; } return n; };`,
  )(constants) as BatchMatcher;
}

/** The event fields a condition tests with `inCidr` or `notInCidr` (those a BatchMatcher reads parsed). */
export function cidrFieldsOf(cond: NestedCondition, out = new Set<keyof TcpEvent>()): Set<keyof TcpEvent> {
  if ('all' in cond) for (const c of cond.all) cidrFieldsOf(c as NestedCondition, out);
  else if ('any' in cond) for (const c of cond.any) cidrFieldsOf(c as NestedCondition, out);
  else if ('not' in cond) cidrFieldsOf(cond.not as NestedCondition, out);
  else if ('fact' in cond && (cond.operator === 'inCidr' || cond.operator === 'notInCidr') && isEventField(cond.fact)) out.add(cond.fact);
  return out;
}

function literal(value: unknown, constants: unknown[]): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return JSON.stringify(value);
  constants.push(value);
  return `k[${constants.length - 1}]`;
}

/** `columns`, for a batch matcher: CIDR tests read the field's parsed column (`a_<field>[i]`), whose fields are added here. */
function expression(cond: NestedCondition, constants: unknown[], columns: Set<string> | undefined): string {
  if ('all' in cond) return cond.all.length === 0 ? 'true' : `(${cond.all.map((c) => expression(c as NestedCondition, constants, columns)).join(' && ')})`;
  // json-rules-engine holds an empty `any` true as well (the schema rejects empty lists anyway).
  if ('any' in cond) return cond.any.length === 0 ? 'true' : `(${cond.any.map((c) => expression(c as NestedCondition, constants, columns)).join(' || ')})`;
  if ('not' in cond) return `!${expression(cond.not as NestedCondition, constants, columns)}`;
  if ('condition' in cond) throw new Error(`shared condition '${cond.condition}' must be inlined before compiling a match`);
  const field = cond.fact;
  if (!isEventField(field) || !/^[a-z_]+$/.test(field)) throw new Error(`'${field}' passed validation but is not an event field`);
  const v = `e.${field}`;
  const value = cond.value;
  const constant = (x: unknown) => {
    constants.push(x);
    return `k[${constants.length - 1}]`;
  };
  const cidr = (): string => {
    const matcher = constant(cidrMatcherOf(value));
    if (!columns) return `${matcher}(${v})`;
    columns.add(field);
    return `${matcher}.parsed(a_${field}[i], ${v})`;
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
      return cidr();
    case 'notInCidr':
      return `!${cidr()}`;
    default:
      throw new Error(`operator '${cond.operator}' passed validation but has no compiled form`);
  }
}
