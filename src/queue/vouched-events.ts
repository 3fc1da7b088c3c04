import { addressKind, fieldRule, type FieldRule } from '../events/check-event';
import { EVENT_FIELDS, type TcpEvent } from '../interfaces/tcp-event';
import type { BatchColumns } from './batch-columns';

const FIELDS = Object.keys(EVENT_FIELDS) as (keyof TcpEvent)[];
const REQUIRED = FIELDS.filter((f) => fieldRule(f).required);
/** What each address amounts to (see addressKind), across batches: the same peers come back batch after batch. */
const ADDRESS_KINDS = new Map<string, number | string>();
const ADDRESS_KINDS_LIMIT = 65_536;

/**
 * Which events of a decoded batch hold to the event contract as they stand (1) — the answer
 * eventProblem would give, worked out column by column: a number column's values each through
 * their field's rule, a dictionary entry once per column and an address once per batch, instead
 * of every field and two address lookups per event. The events it cannot vouch for (0) go through
 * eventProblem one by one, which refuses them or rewrites them (an IPv4-mapped address) as it
 * does any event: this never refuses an event, it only spares the check of those that hold.
 */
export function vouchedEvents(columns: BatchColumns, dict: readonly unknown[], n: number): Uint8Array {
  const vouched = new Uint8Array(n);
  // A required column missing: no event has the field, every one is refused by eventProblem.
  if (REQUIRED.some((f) => columns[f] === undefined)) return vouched;
  vouched.fill(1);
  for (const field of FIELDS) {
    const col = columns[field];
    if (col === undefined) continue;
    if (EVENT_FIELDS[field] === 'number') numbersHold(col, fieldRule(field), vouched);
    else stringsHold(col, dict, fieldRule(field), vouched);
  }
  addressesHold(columns.family!, columns.laddr!, columns.raddr!, dict, vouched);
  return vouched;
}

/** Clears the events whose number in `col` breaks `rule` (or is absent where required). */
function numbersHold(col: readonly unknown[], rule: FieldRule, vouched: Uint8Array): void {
  const { ok, required } = rule;
  // Runs of one value (a flood's port, a namespace, a family) are checked once.
  let last: unknown = NaN;
  let holds = false;
  for (let i = 0; i < vouched.length; i++) {
    const v = col[i];
    if (v !== last) {
      last = v;
      holds = v === null || v === undefined ? !required : ok(v);
    }
    if (!holds) vouched[i] = 0;
  }
}

/** Clears the events whose dictionary entry in `col` breaks `rule`, each entry checked once. */
function stringsHold(col: readonly unknown[], dict: readonly unknown[], rule: FieldRule, vouched: Uint8Array): void {
  const { ok, required } = rule;
  // Per dictionary index: 0 not checked yet, 1 holds, 2 breaks the rule.
  const verdict = new Uint8Array(dict.length + 1);
  for (let i = 0; i < vouched.length; i++) {
    const k = col[i];
    if (k === 0 || k === undefined) {
      if (required) vouched[i] = 0;
    } else if (typeof k === 'number' && k >= 1 && k <= dict.length && Number.isInteger(k)) {
      let v = verdict[k];
      if (v === 0) v = verdict[k] = ok(dict[k - 1]) ? 1 : 2;
      if (v === 2) vouched[i] = 0;
    }
    // Anything else is no index: left to eventProblem, on what the decoder makes of it.
    else vouched[i] = 0;
  }
}

/** Clears the events whose addresses are not plainly of their `family` (the columns passed their field rules). */
function addressesHold(family: readonly unknown[], laddr: readonly unknown[], raddr: readonly unknown[], dict: readonly unknown[], vouched: Uint8Array): void {
  // Per dictionary index: what the address amounts to (see addressKind), undefined before it is asked.
  const kinds = new Array<number | string | undefined>(dict.length + 1).fill(undefined);
  if (ADDRESS_KINDS.size + dict.length > ADDRESS_KINDS_LIMIT) ADDRESS_KINDS.clear();
  const kindOf = (k: number): number | string => (kinds[k] ??= addressKind(dict[k - 1] as string, ADDRESS_KINDS));
  for (let i = 0; i < vouched.length; i++) {
    if (vouched[i] === 1 && (kindOf(laddr[i] as number) !== family[i] || kindOf(raddr[i] as number) !== family[i])) vouched[i] = 0;
  }
}
