import { Packr } from 'msgpackr';
import { eventProblem } from '../events/check-event';
import { EVENT_FIELDS, type TcpEvent } from '../interfaces/tcp-event';
import type { SealedBatch } from './sealed-batch';

const FIELDS = Object.keys(EVENT_FIELDS) as (keyof TcpEvent)[];
const FORMAT = 1;

/**
 * The batch on the wire, column by column: one array per event field, strings replaced by indexes
 * into one per-batch dictionary (addresses, kinds and host names repeat a lot), absent values as
 * null (numbers) or 0 (strings). MessagePack then stores small integers in one or two bytes. The
 * field names travel with the batch, so a worker on another release reads the columns it knows.
 */
interface WireBatch {
  v: number;
  id: string;
  p: number;
  t: number;
  lost: number;
  cl: number;
  n: number;
  fields: string[];
  dict: string[];
  cols: (number | null)[][];
}

// Plain MessagePack (no shared record structures): every batch decodes on its own, in any worker.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeBatch(batch: SealedBatch): Buffer {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const n = batch.events.length;
  const cols = FIELDS.map((field) => {
    const col: (number | null)[] = new Array(n);
    const isString = EVENT_FIELDS[field] === 'string';
    for (let i = 0; i < n; i++) {
      const v = batch.events[i][field];
      if (v === undefined) col[i] = isString ? 0 : null;
      else if (!isString) col[i] = v as number;
      else {
        let k = index.get(v as string);
        if (k === undefined) {
          k = dict.push(v as string);
          index.set(v as string, k);
        }
        col[i] = k;
      }
    }
    return col;
  });
  const wire: WireBatch = { v: FORMAT, id: batch.id, p: batch.partition, t: batch.createdAt, lost: batch.lost, cl: batch.collectorLost, n, fields: FIELDS, dict, cols };
  return packr.pack(wire);
}

/**
 * A batch back from its bytes. Events that fail the event check are left out and counted in the
 * batch's `lost`, so they show as `queue` loss in the windows the batch falls in.
 */
export function decodeBatch(bytes: Uint8Array): SealedBatch {
  const wire = packr.unpack(bytes) as WireBatch;
  if (wire.v !== FORMAT) throw new Error(`batch ${wire.id}: unknown encoding version ${wire.v}`);
  const events: TcpEvent[] = new Array(wire.n);
  for (let i = 0; i < wire.n; i++) events[i] = {} as TcpEvent;
  wire.fields.forEach((name, c) => {
    const type = EVENT_FIELDS[name as keyof TcpEvent];
    if (!type) return;
    const col = wire.cols[c];
    for (let i = 0; i < wire.n; i++) {
      const v = col[i];
      if (type === 'string') {
        if (v !== 0) (events[i] as unknown as Record<string, unknown>)[name] = wire.dict[(v as number) - 1];
      } else if (v !== null) (events[i] as unknown as Record<string, unknown>)[name] = v;
    }
  });
  // Redis is outside this process: an event that does not hold to the contract (another release, a
  // hand-made job) is dropped here and counted with the batch's lost events, the rest go on.
  const memo = new Map<string, number | string>();
  let kept = 0;
  for (let i = 0; i < events.length; i++) {
    if (eventProblem(events[i] as unknown as Record<string, unknown>, memo) === undefined) events[kept++] = events[i];
  }
  const invalid = events.length - kept;
  events.length = kept;
  return { id: wire.id, partition: wire.p, createdAt: wire.t, lost: wire.lost + invalid, collectorLost: wire.cl ?? 0, events };
}
