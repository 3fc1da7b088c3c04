import { isIP } from 'node:net';
import { COUNTER_KINDS, EVENT_FIELDS, EVENT_KINDS, type TcpEvent } from '../interfaces/tcp-event';

/**
 * The one check of an event entering from outside the collector: a recorded JSONL line (replay),
 * an embedder's `source`, a batch read back from Redis. It holds events to the TcpEvent contract
 * (docs/events.md, "Checked at the boundary"), so a bad value is refused where it enters, with
 * what is wrong, instead of hanging the engine (`ts: 1e300`), crashing it (`ts: 1e16` is no
 * Date), or showing up in an alert as `raddr=[object Object]`.
 */

/** `ts` bounds, epoch ms: 2000-01-01 and 2200-01-01 UTC. Anything outside is a unit mistake (seconds, ns) or garbage. */
export const EVENT_TS_MIN = Date.UTC(2000, 0, 1);
export const EVENT_TS_MAX = Date.UTC(2200, 0, 1);
/** Longest string field (host names reach 253, kernel names and `comm` far less). */
export const EVENT_STRING_MAX = 256;

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);
const FIELDS = Object.keys(EVENT_FIELDS) as (keyof TcpEvent)[];
/** Kinds with no connection: their peer address is empty, their local one too when no listener is named (docs/events.md). */
const CONNECTIONLESS: ReadonlySet<string> = new Set(COUNTER_KINDS);
const U32_MAX = 0xffffffff;

type Problem = string | undefined;

/** A field's rule: `ok` is the cheap test every event pays; `wants` words the rule for a refusal. */
export interface FieldRule {
  required: boolean;
  ok: (v: unknown) => boolean;
  wants: string;
}

// A bad value as a short quote: never the whole of a huge string, never an object's contents.
const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
};

const port = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
const u32 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
const text = (v: unknown): boolean => typeof v === 'string' && v.length <= EVENT_STRING_MAX;
const TEXT = `a string of at most ${EVENT_STRING_MAX} characters`;
// Address text is checked after the fields (see eventProblem): what it may be depends on `family` and `kind`.
const addressText = (v: unknown): boolean => typeof v === 'string';

const kindOk = (v: unknown): boolean => typeof v === 'string' && KINDS.has(v);
const tsOk = (v: unknown): boolean => typeof v === 'number' && v >= EVENT_TS_MIN && v < EVENT_TS_MAX;
const familyOk = (v: unknown): boolean => v === 4 || v === 6;
const directionOk = (v: unknown): boolean => v === 'inbound' || v === 'outbound';
const valueOk = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v < Infinity;

/** Each field's rule; a Record over the contract's keys, so a new field without a rule does not compile. */
const RULES: Record<keyof TcpEvent, FieldRule> = {
  kind: { required: true, ok: kindOk, wants: `one of ${EVENT_KINDS.join(', ')}` },
  ts: { required: true, ok: tsOk, wants: `epoch milliseconds between 2000-01-01 and 2200-01-01 (${EVENT_TS_MIN}..${EVENT_TS_MAX})` },
  family: { required: true, ok: familyOk, wants: '4 or 6' },
  laddr: { required: true, ok: addressText, wants: 'an IP address string' },
  lport: { required: true, ok: port, wants: 'a port number 0..65535' },
  raddr: { required: true, ok: addressText, wants: 'an IP address string' },
  rport: { required: true, ok: port, wants: 'a port number 0..65535' },
  state: { required: false, ok: text, wants: TEXT },
  oldstate: { required: false, ok: text, wants: TEXT },
  newstate: { required: false, ok: text, wants: TEXT },
  reason: { required: false, ok: text, wants: TEXT },
  direction: { required: false, ok: directionOk, wants: "'inbound' or 'outbound'" },
  netns: { required: true, ok: u32, wants: 'a namespace inode number 0..4294967295' },
  sock: { required: false, ok: text, wants: TEXT },
  pid: { required: false, ok: u32, wants: 'a process id 0..4294967295' },
  comm: { required: false, ok: text, wants: TEXT },
  host: { required: true, ok: text, wants: TEXT },
  value: { required: false, ok: valueOk, wants: 'a non-negative finite number' },
  netns_name: { required: false, ok: text, wants: TEXT },
  container: { required: false, ok: text, wants: TEXT },
  pod: { required: false, ok: text, wants: TEXT },
  service: { required: false, ok: text, wants: TEXT },
};

/** `field`'s rule, for a check of many values of one field at once (a batch's column, see src/queue/vouched-events.ts). */
export function fieldRule(field: keyof TcpEvent): FieldRule {
  return RULES[field];
}

/**
 * The same rules as RULES, field by field with plain property reads: the hot path (a batch decoder
 * runs it for a million events a second), where a loop of keyed reads costs three times as much.
 * RULES words the refusal when this says no; test/events/check-event.test.ts holds the two in step.
 */
function fieldsHold(e: Partial<Record<keyof TcpEvent, unknown>>): boolean {
  return (
    kindOk(e.kind) &&
    tsOk(e.ts) &&
    familyOk(e.family) &&
    addressText(e.laddr) &&
    port(e.lport) &&
    addressText(e.raddr) &&
    port(e.rport) &&
    u32(e.netns) &&
    text(e.host) &&
    (e.state === undefined || text(e.state)) &&
    (e.oldstate === undefined || text(e.oldstate)) &&
    (e.newstate === undefined || text(e.newstate)) &&
    (e.reason === undefined || text(e.reason)) &&
    (e.direction === undefined || directionOk(e.direction)) &&
    (e.sock === undefined || text(e.sock)) &&
    (e.pid === undefined || u32(e.pid)) &&
    (e.comm === undefined || text(e.comm)) &&
    (e.value === undefined || valueOk(e.value)) &&
    (e.netns_name === undefined || text(e.netns_name)) &&
    (e.container === undefined || text(e.container)) &&
    (e.pod === undefined || text(e.pod)) &&
    (e.service === undefined || text(e.service))
  );
}

/** Which field breaks its rule, worded: the slow path, once fieldsHold said no. */
function fieldProblem(e: Record<string, unknown>): string {
  for (const field of FIELDS) {
    const rule = RULES[field];
    const v = e[field];
    if (v === undefined) {
      if (rule.required) return `'${field}' is missing`;
    } else if (!rule.ok(v)) return `'${field}' must be ${rule.wants}, got ${show(v)}`;
  }
  throw new Error('fieldsHold and RULES disagree');
}

/** `::ffff:a.b.c.d` (or `::ffff:xxxx:xxxx`) as plain IPv4 text, or undefined for any other address. */
function unmapped(addr: string): string | undefined {
  if (addr.length < 9 || addr.slice(0, 7).toLowerCase() !== '::ffff:') return undefined;
  const rest = addr.slice(7);
  if (isIP(rest) === 4) return rest;
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!m) return undefined;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * What an address string amounts to: its IP version (4 or 6), the IPv4 text for an IPv4-mapped
 * IPv6 address, 0 for the empty string, or -1 for anything else. `memo` caches it per string
 * (a batch repeats the same few addresses).
 */
export function addressKind(addr: string, memo?: Map<string, number | string>): number | string {
  let k = memo?.get(addr);
  if (k === undefined) {
    k = addr === '' ? 0 : isIP(addr) === 4 ? 4 : isIP(addr) === 6 ? (unmapped(addr) ?? 6) : -1;
    memo?.set(addr, k);
  }
  return k;
}

/**
 * Checks `e` against the contract, in place: the problem in one phrase (`'raddr' must be ...`),
 * or undefined when it holds. IPv4-mapped addresses become plain IPv4 (family 4), as the contract
 * reports them. `e` must hold only contract fields (see toTcpEvent). `memo` caches address checks
 * across the events of one batch.
 */
export function eventProblem(e: Record<string, unknown>, memo?: Map<string, number | string>): Problem {
  if (!fieldsHold(e)) return fieldProblem(e);
  const l = addressKind(e.laddr as string, memo);
  const r = addressKind(e.raddr as string, memo);
  // The common case: both addresses of the event's family.
  return l === e.family && r === e.family ? undefined : addressProblem(e, l, r, memo);
}

/** The addresses' problem, if any, once they are not plainly of the event's family; rewrites IPv4-mapped ones. */
function addressProblem(e: Record<string, unknown>, l: number | string, r: number | string, memo?: Map<string, number | string>): Problem {
  let family = e.family as number;
  for (const [field, k] of [
    ['laddr', l],
    ['raddr', r],
  ] as const) {
    if (typeof k === 'string') {
      e[field] = k;
      family = 4;
    } else if (k === -1) return `'${field}' must be an IPv4 or IPv6 address, got ${show(e[field])}`;
    else if (k === 0 && !CONNECTIONLESS.has(e.kind as string)) return `'${field}' is empty; only counter samples (${[...CONNECTIONLESS].join(', ')}) have no addresses`;
  }
  for (const field of ['laddr', 'raddr'] as const) {
    const k = addressKind(e[field] as string, memo);
    if (k !== 0 && k !== family) return `'${field}' ${show(e[field])} is not an IPv${family} address, as 'family' ${e.family} says`;
  }
  e.family = family;
  return undefined;
}

/** The event `input` holds, with the contract's fields only (anything else is left behind), or what is wrong with it. */
export function toTcpEvent(input: unknown): { event: TcpEvent; problem?: undefined } | { event?: undefined; problem: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { problem: `expected an event object, got ${show(input)}` };
  const source = input as Record<string, unknown>;
  const e: Record<string, unknown> = {};
  for (const field of FIELDS) if (source[field] !== undefined) e[field] = source[field];
  const problem = eventProblem(e);
  return problem === undefined ? { event: e as unknown as TcpEvent } : { problem };
}
