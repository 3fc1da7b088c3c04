import { Packr } from 'msgpackr';
import { eventProblem } from '../events/check-event';
import { EVENT_FIELDS, isEventField, type TcpEvent } from '../interfaces/tcp-event';
import { FIELD_GETTERS } from '../rules/field-getters';
import type { BatchColumns } from './batch-columns';
import type { SealedBatch } from './sealed-batch';
import { StringInterner } from './string-interner';
import { vouchedEvents } from './vouched-events';

const FIELDS = Object.keys(EVENT_FIELDS) as (keyof TcpEvent)[];
const FORMAT = 1;

/**
 * The batch on the wire, column by column: one array per event field that some event of the batch
 * has (a field none has is left out, and reads as absent), strings replaced by indexes
 * into one per-batch dictionary (addresses, kinds and host names repeat a lot), absent values as
 * null (numbers) or 0 (strings). MessagePack then stores small integers in one or two bytes. The
 * field names travel with the batch, so a worker on another release reads the columns it knows.
 * An event's `value` (a counter's increase, or how many events an aggregated one stands for) is a
 * column like any other: an aggregated flood crosses Redis as one event. `al` lists the fields
 * the batch's aggregates lack (absent when none: a batch of an older release lacks none).
 */
interface WireBatch {
  v: number;
  id: string;
  p: number;
  t: number;
  lost: number;
  cl: number;
  al?: string[];
  ut?: string[];
  n: number;
  fields: string[];
  dict: string[];
  cols: (number | null)[][];
}

// Plain MessagePack (no shared record structures): every batch decodes on its own, in any worker.
const packr = new Packr({ useRecords: false, moreTypes: false });

/**
 * One field's column, or undefined when no event has the field. Strings become indexes into
 * `dict` (1-based; 0 is absent), numbers stay (null is absent).
 */
function column(field: keyof TcpEvent, events: readonly TcpEvent[], dict: string[], index: Map<string, number>): (number | null)[] | undefined {
  // A getter per field, not `event[field]`: a keyed read with a changing key turns megamorphic
  // (see FIELD_GETTERS).
  const get = FIELD_GETTERS[field];
  const n = events.length;
  const col: (number | null)[] = new Array(n);
  let present = false;
  if (EVENT_FIELDS[field] === 'number') {
    for (let i = 0; i < n; i++) {
      const v = get(events[i]);
      if (v === undefined) col[i] = null;
      else {
        col[i] = v as number;
        present = true;
      }
    }
    return present ? col : undefined;
  }
  // Runs of one value (a kind, a host, a flood's listener) skip the dictionary lookup.
  let last: unknown;
  let lastK = 0;
  for (let i = 0; i < n; i++) {
    const v = get(events[i]);
    if (v !== last) {
      last = v;
      if (v === undefined) lastK = 0;
      else {
        let k = index.get(v as string);
        if (k === undefined) {
          k = dict.push(v as string);
          index.set(v as string, k);
        }
        lastK = k;
      }
    }
    col[i] = lastK;
    if (lastK !== 0) present = true;
  }
  return present ? col : undefined;
}

export function encodeBatch(batch: SealedBatch): Buffer {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const events = batch.events;
  const n = events.length;
  const fields: string[] = [];
  const cols: (number | null)[][] = [];
  for (const field of FIELDS) {
    const col = column(field, events, dict, index);
    // A field no event of the batch has is left out, names and all: a reader (of any release) sees
    // it absent on every event, as it is, and neither side spends time on a column of nothing.
    if (col === undefined) continue;
    fields.push(field);
    cols.push(col);
  }
  const wire: WireBatch = { v: FORMAT, id: batch.id, p: batch.partition, t: batch.createdAt, lost: batch.lost, cl: batch.collectorLost, n, fields, dict, cols };
  if (batch.aggregatesLack.length > 0) wire.al = [...batch.aggregatesLack];
  if (batch.untraced.length > 0) wire.ut = [...batch.untraced];
  return packr.pack(wire);
}

/** Every field present, absent ones undefined: the shape the builder below must fill, checked by the compiler. */
type EventShape = { [K in keyof TcpEvent]-?: unknown };

/** String field of event `i`: its dictionary entry, or undefined for 0 (absent) or a column the batch lacks. */
function str(col: readonly unknown[] | undefined, dict: readonly string[], i: number): unknown {
  const k = col?.[i];
  return k === 0 || k === undefined ? undefined : dict[(k as number) - 1];
}

/** Number field of event `i`, undefined for null (absent) or a column the batch lacks. */
function num(col: readonly unknown[] | undefined, i: number): unknown {
  const v = col?.[i];
  return v === null ? undefined : v;
}

/**
 * Event `i` of a batch, built by this one literal so every decoded event shares one hidden class
 * (as the collector's do): the engine reads each field at a few sites per rule, and events built
 * field by field came in as many shapes as there were combinations of absent fields. Absent fields
 * are undefined (and absent in JSON). Values are left as they came: eventProblem checks them.
 */
function eventAt(c: BatchColumns, d: readonly string[], i: number): EventShape {
  return {
    kind: str(c.kind, d, i),
    ts: num(c.ts, i),
    family: num(c.family, i),
    laddr: str(c.laddr, d, i),
    lport: num(c.lport, i),
    raddr: str(c.raddr, d, i),
    rport: num(c.rport, i),
    state: str(c.state, d, i),
    oldstate: str(c.oldstate, d, i),
    newstate: str(c.newstate, d, i),
    reason: str(c.reason, d, i),
    direction: str(c.direction, d, i),
    netns: num(c.netns, i),
    sock: str(c.sock, d, i),
    pid: num(c.pid, i),
    comm: str(c.comm, d, i),
    host: str(c.host, d, i),
    value: num(c.value, i),
    netns_name: str(c.netns_name, d, i),
    container: str(c.container, d, i),
    pod: str(c.pod, d, i),
    service: str(c.service, d, i),
  };
}

// Shared by every batch this process reads (see StringInterner): 65,536 strings at most, a few MB.
const interner = new StringInterner(65_536);

/**
 * A batch back from its bytes. Events that fail the event check are left out and counted in the
 * batch's `lost`, so they show as `queue` loss in the windows the batch falls in.
 */
export function decodeBatch(bytes: Uint8Array): SealedBatch {
  const wire = packr.unpack(bytes) as WireBatch;
  if (wire.v !== FORMAT) throw new Error(`batch ${wire.id}: unknown encoding version ${wire.v}`);
  // Interning pays where a batch's strings repeat the last ones'; a dictionary about as long as the
  // batch is mostly one-off values (socket ids, a flood's spoofed sources), looked up for nothing.
  if (wire.dict.length * 4 <= wire.n) interner.internAll(wire.dict);
  const columns: BatchColumns = {};
  wire.fields.forEach((name, c) => {
    // Columns this release does not know are skipped.
    if (isEventField(name)) columns[name] = wire.cols[c];
  });
  const events: TcpEvent[] = new Array(wire.n);
  // Redis is outside this process: an event that does not hold to the contract (another release, a
  // hand-made job) is dropped here and counted with the batch's lost events, the rest go on. The
  // columns vouch for most events at once; only the others are checked one by one.
  const vouched = vouchedEvents(columns, wire.dict, wire.n);
  const memo = new Map<string, number | string>();
  let kept = 0;
  for (let i = 0; i < wire.n; i++) {
    const e = eventAt(columns, wire.dict, i) as Record<string, unknown>;
    if (vouched[i] === 1 || eventProblem(e, memo) === undefined) events[kept++] = e as unknown as TcpEvent;
  }
  const invalid = wire.n - kept;
  events.length = kept;
  return { id: wire.id, partition: wire.p, createdAt: wire.t, lost: wire.lost + invalid, collectorLost: wire.cl ?? 0, aggregatesLack: stringsOf(wire.al), untraced: stringsOf(wire.ut), events };
}

/**
 * A batch's `al` or `ut` (none for a batch of an older release): only its strings, so a malformed
 * one (a hand-made job) cannot reach a rule's check, a log line or a metric label as anything else.
 */
function stringsOf(names: unknown): string[] {
  return Array.isArray(names) ? names.filter((f): f is string => typeof f === 'string') : [];
}
