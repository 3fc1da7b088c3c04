import { EVENT_FIELDS, isEventField, type TcpEvent } from '../interfaces/tcp-event';
import type { EventSequence } from './rule-test-case';

/** Defaults for generated events: a plausible IPv4 connection in the initial network namespace. */
const DEFAULT_EVENT = { family: 4, laddr: '10.0.0.1', lport: 0, raddr: '10.0.0.2', rport: 0, netns: 4026531840, host: 'test-host' };
const PLACEHOLDER = /\{i((?:[%/+*]\d+)*)\}/g;

/** `{i}` is the event's index in its sequence; `%N`, `/N` (integer division), `+N`, `*N` apply left to right. */
function evaluate(ops: string, i: number): number {
  let v = i;
  for (const [, op, n] of ops.matchAll(/([%/+*])(\d+)/g)) {
    const k = Number(n);
    v = op === '%' ? v % k : op === '/' ? Math.floor(v / k) : op === '+' ? v + k : v * k;
  }
  return v;
}

function fill(template: Record<string, unknown>, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(template)) {
    if (typeof value !== 'string' || !value.includes('{i')) {
      out[field] = value;
      continue;
    }
    const text = value.replace(PLACEHOLDER, (_m, ops: string) => String(evaluate(ops, i)));
    out[field] = isEventField(field) && EVENT_FIELDS[field] === 'number' ? Number(text) : text;
  }
  return out;
}

/** The events of one sequence, evenly spaced, in time order. */
export function generateEvents(seq: EventSequence, startMs: number): TcpEvent[] {
  const events: TcpEvent[] = [];
  const n = Math.floor(((seq.toMs - seq.fromMs) / 1000) * seq.rate);
  const step = 1000 / seq.rate;
  for (let i = 0; i < n; i++) {
    events.push({ ...DEFAULT_EVENT, ...fill(seq.event, i), ts: startMs + seq.fromMs + i * step } as TcpEvent);
  }
  return events;
}
