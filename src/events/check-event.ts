import { isIP } from 'node:net';
import { EVENT_FIELDS, EVENT_KINDS, type TcpEvent } from '../interfaces/tcp-event';

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
const REQUIRED: readonly (keyof TcpEvent)[] = ['kind', 'ts', 'family', 'laddr', 'lport', 'raddr', 'rport', 'netns', 'host'];
/** Kinds with no connection: their addresses are empty and their ports 0 (docs/events.md). */
const CONNECTIONLESS: ReadonlySet<string> = new Set(['syncookies_sent']);
const U32_MAX = 0xffffffff;

type Problem = string | undefined;
type Check = (v: unknown) => Problem;

// A bad value as a short quote: never the whole of a huge string, never an object's contents.
const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
};

const integer = (min: number, max: number, what: string): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `must be ${what}, got ${show(v)}`;

const text: Check = (v) =>
  typeof v !== 'string' ? `must be a string, got ${show(v)}` : v.length > EVENT_STRING_MAX ? `is longer than ${EVENT_STRING_MAX} characters` : undefined;

// Address text is checked with the other fields (see addressProblem): it depends on `family` and `kind`.
const address: Check = (v) => (typeof v === 'string' ? undefined : `must be an IP address string, got ${show(v)}`);

/** Each field's own check; a Record over the contract's keys, so a new field without a check does not compile. */
const FIELD_CHECKS: Record<keyof TcpEvent, Check> = {
  kind: (v) => (typeof v === 'string' && KINDS.has(v) ? undefined : `must be one of ${EVENT_KINDS.join(', ')}, got ${show(v)}`),
  ts: (v) =>
    typeof v === 'number' && v >= EVENT_TS_MIN && v < EVENT_TS_MAX
      ? undefined
      : `must be epoch milliseconds between 2000-01-01 and 2200-01-01 (${EVENT_TS_MIN}..${EVENT_TS_MAX}), got ${show(v)}`,
  family: (v) => (v === 4 || v === 6 ? undefined : `must be 4 or 6, got ${show(v)}`),
  laddr: address,
  lport: integer(0, 65535, 'a port number 0..65535'),
  raddr: address,
  rport: integer(0, 65535, 'a port number 0..65535'),
  state: text,
  oldstate: text,
  newstate: text,
  reason: text,
  direction: (v) => (v === 'inbound' || v === 'outbound' ? undefined : `must be 'inbound' or 'outbound', got ${show(v)}`),
  netns: integer(0, U32_MAX, 'a namespace inode number 0..4294967295'),
  sock: text,
  pid: integer(0, U32_MAX, 'a process id 0..4294967295'),
  comm: text,
  host: text,
  value: (v) => (typeof v === 'number' && v >= 0 && v < Infinity ? undefined : `must be a non-negative finite number, got ${show(v)}`),
};

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
function addressKind(addr: string, memo?: Map<string, number | string>): number | string {
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
  for (const field of REQUIRED) if (e[field] === undefined) return `'${field}' is missing`;
  for (const field of FIELDS) {
    const v = e[field];
    if (v === undefined) continue;
    const p = FIELD_CHECKS[field](v);
    if (p !== undefined) return `'${field}' ${p}`;
  }
  const connectionless = CONNECTIONLESS.has(e.kind as string);
  let family = e.family as number;
  for (const field of ['laddr', 'raddr'] as const) {
    const addr = e[field] as string;
    const k = addressKind(addr, memo);
    if (typeof k === 'string') {
      e[field] = k;
      family = 4;
    } else if (k === -1) return `'${field}' must be an IPv4 or IPv6 address, got ${show(addr)}`;
    else if (k === 0 && !connectionless) return `'${field}' is empty; only ${[...CONNECTIONLESS].join(', ')} events have no addresses`;
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
