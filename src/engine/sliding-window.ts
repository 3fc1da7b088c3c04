import type { TcpEvent } from '../interfaces/tcp-event';
import type { FieldGetter } from '../rules/field-getters';
import { DistinctCounter, type DistinctCounterState } from './distinct-counter';
import type { HyperLogLog } from './hyper-log-log';

/** How many events a group keeps for the alert's `samples`, and how many namespaces it lists. */
export const SAMPLES_PER_GROUP = 3;
export const NETNS_PER_GROUP = 8;
/** Slices per window at most, and the shortest slice: the judgement's precision. */
const SLICES_PER_WINDOW = 10;
const MIN_SLICE_MS = 100;

/**
 * The slice length of a window: a tenth of it, but at least 100 ms, and always a whole divisor
 * of the window (an odd length such as 1234ms gets fewer, longer slices: 617 ms). Slices are
 * aligned to multiples of their length in event time, so every process cuts the same ones.
 */
export function sliceMsOf(windowMs: number): number {
  let n = Math.max(1, Math.min(SLICES_PER_WINDOW, Math.floor(windowMs / MIN_SLICE_MS)));
  while (windowMs % n !== 0) n--;
  return windowMs / n;
}

/** A sliding window as plain JSON (engine state export). */
export interface SlidingWindowState {
  slices: number[];
  counts: number[];
  distinct: DistinctCounterState[][];
  samples: TcpEvent[];
  netns: number[];
  host: string;
  dirtyFrom: number;
}

const NO_COUNTERS: DistinctCounter[] = [];
/** Up to this many values (summed over slices), a merge scans a short list instead of filling a Set. */
const SMALL_MERGE = 48;

/**
 * The distinct values of one field over the slices [from, to), each with the last of those slices
 * holding it: updated as slices enter (a judgement) and leave (`trim`: a value goes when its last
 * slice does), so judging a group with many values costs the values that changed, not a merge of
 * the whole window.
 */
interface DistinctSpan {
  values: Map<string | number, number>;
  from: number;
  to: number;
}

/** Reusable space for merging the slices' distinct values (one per rule). */
export interface DistinctScratch {
  list: Array<string | number>;
  set: Set<string | number>;
  sketch: HyperLogLog;
}

/**
 * One group's events of a rule, as a ring of slices: slice numbers (`floor(ts / sliceMs)`) with
 * the count and the distinct counters of each, oldest first. Only slices holding events are kept,
 * so a one-shot group costs one slice. The window as of a judgement instant is a sum (count) or a
 * merge (distinct) of the slices inside it; slices that leave every window are dropped (`trim`).
 * Adding an event allocates nothing once its slice exists: events come in time order, so the
 * newest slice is the usual one.
 */
export class SlidingWindow {
  readonly slices: number[] = [];
  readonly counts: number[] = [];
  /** Per slice, one counter per distinct field of the rule (in the rule's order). */
  readonly distinct: DistinctCounter[][] = [];
  /** A few recent events (the oldest replaced, when a slice opens, once no window holding the new event holds it). */
  readonly samples: TcpEvent[] = [];
  /** Namespaces of the events since the window was last empty. */
  readonly netns: number[] = [];
  host: string;
  /** The lowest slice that received events since the last judgement (Infinity: none). */
  dirtyFrom = Infinity;
  /** Per distinct field, kept only for windows with more values than a short merge handles; rebuilt when missing. */
  private spans: Array<DistinctSpan | undefined> | undefined;

  constructor(host: string) {
    this.host = host;
  }

  get empty(): boolean {
    return this.slices.length === 0;
  }

  /** Counts `e` (as `value` events) into `slice`; `spare` gives recycled distinct counters. */
  add(e: TcpEvent, slice: number, windowMs: number, getters: FieldGetter[], spare: () => DistinctCounter[]): void {
    const slices = this.slices;
    let i = slices.length - 1;
    const opened = i < 0 || slices[i] !== slice;
    if (opened) i = this.open(slice, getters.length > 0 ? spare : undefined);
    this.counts[i] += e.value ?? 1;
    if (getters.length > 0) {
      const counters = this.distinct[i];
      if (this.spans === undefined) for (let f = 0; f < getters.length; f++) counters[f].add(getters[f](e));
      else this.addSpanned(counters, getters, e, slice);
    }
    if (slice < this.dirtyFrom) this.dirtyFrom = slice;
    const samples = this.samples;
    if (samples.length < SAMPLES_PER_GROUP) samples.push(e);
    else if (opened && samples[0].ts < e.ts - windowMs) {
      // Refreshed only with a new slice: reading an old sample per event costs a cache miss.
      samples.shift();
      samples.push(e);
    }
    const netns = this.netns;
    if (netns.length < NETNS_PER_GROUP && !netns.includes(e.netns)) netns.push(e.netns);
  }

  /** `add` for a window with spans: a value new to a slice inside a span joins the span. */
  private addSpanned(counters: DistinctCounter[], getters: FieldGetter[], e: TcpEvent, slice: number): void {
    const spans = this.spans as Array<DistinctSpan | undefined>;
    for (let f = 0; f < getters.length; f++) {
      const v = getters[f](e);
      const fresh = counters[f].add(v);
      const span = spans[f];
      if (!span) continue;
      // A sketch cannot say which values leave with its slice: the span is dropped (merges take over).
      if (counters[f].sketch) spans[f] = undefined;
      else if (fresh && slice >= span.from && slice < span.to) {
        const last = span.values.get(v as string | number);
        if (last === undefined || last < slice) span.values.set(v as string | number, slice);
      }
    }
  }

  /** The index of `slice`, inserted in order (an event older than the newest slice lands in place). */
  private open(slice: number, spare: (() => DistinctCounter[]) | undefined): number {
    const slices = this.slices;
    let i = slices.length;
    while (i > 0 && slices[i - 1] > slice) i--;
    if (i > 0 && slices[i - 1] === slice) return i - 1;
    const counters = spare ? spare() : NO_COUNTERS;
    if (i === slices.length) {
      slices.push(slice);
      this.counts.push(0);
      this.distinct.push(counters);
    } else {
      slices.splice(i, 0, slice);
      this.counts.splice(i, 0, 0);
      this.distinct.splice(i, 0, counters);
    }
    return i;
  }

  /**
   * Drops the slices before `first` (out of every window still to be judged), handing their
   * distinct counters to `recycle`. Returns the events they held (0: nothing left the window).
   */
  trim(first: number, recycle: (counters: DistinctCounter[]) => void): number {
    const slices = this.slices;
    let n = 0;
    while (n < slices.length && slices[n] < first) n++;
    if (n === 0) return 0;
    let events = 0;
    for (let i = 0; i < n; i++) {
      events += this.counts[i];
      if (this.spans) this.leaveSpans(i, first);
      if (this.distinct[i] !== NO_COUNTERS) recycle(this.distinct[i]);
    }
    slices.splice(0, n);
    this.counts.splice(0, n);
    this.distinct.splice(0, n);
    if (slices.length === 0) this.netns.length = 0;
    return events;
  }

  /** Takes the values of slice index `i` (leaving the window) out of the spans holding it. */
  private leaveSpans(i: number, first: number): void {
    const spans = this.spans as Array<DistinctSpan | undefined>;
    const slice = this.slices[i];
    for (let f = 0; f < spans.length; f++) {
      const span = spans[f];
      if (!span) continue;
      if (slice >= span.from && slice < span.to) {
        for (const v of this.distinct[i][f].values()) if (span.values.get(v) === slice) span.values.delete(v);
      }
      if (span.from < first) span.from = first;
    }
  }

  /** Events in the slices [from, to). */
  count(from: number, to: number): number {
    const slices = this.slices;
    let sum = 0;
    for (let i = 0; i < slices.length && slices[i] < to; i++) if (slices[i] >= from) sum += this.counts[i];
    return sum;
  }

  /** Whether any slice in [from, to) holds events. */
  holds(from: number, to: number): boolean {
    const slices = this.slices;
    for (let i = 0; i < slices.length && slices[i] < to; i++) if (slices[i] >= from) return true;
    return false;
  }

  /**
   * Distinct values of field `f` over the slices [from, to): exact sets are merged exactly (a few
   * values in `list`, more in `set`), and as soon as one slice holds a sketch the merge is a
   * sketch (register-wise maximum).
   */
  distinctCount(f: number, from: number, to: number, scratch: DistinctScratch, keep = false): number {
    const span = keep ? this.spans?.[f] : undefined;
    if (span && span.from <= from && span.to <= to) {
      const size = this.extendSpan(span, f, from, to);
      if (size >= 0) return size;
    }
    const slices = this.slices;
    let first = -1;
    let inside = 0;
    let sketched = false;
    let total = 0;
    for (let i = 0; i < slices.length && slices[i] < to; i++) {
      if (slices[i] < from) continue;
      if (first < 0) first = i;
      inside++;
      const c = this.distinct[i][f];
      if (c.sketch) sketched = true;
      else total += c.size;
    }
    if (sketched) {
      if (this.spans) this.spans[f] = undefined;
      scratch.sketch.registers.fill(0);
      for (let i = first; i < first + inside; i++) this.distinct[i][f].mergeInto(scratch.sketch);
      return scratch.sketch.estimate();
    }
    if (inside === 0) return 0;
    if (inside === 1) return this.distinct[first][f].size;
    if (total <= SMALL_MERGE) {
      const list = scratch.list;
      list.length = 0;
      for (let i = first; i < first + inside; i++) this.distinct[i][f].addNewTo(list);
      return list.length;
    }
    if (keep) {
      // Many values, judged again at every boundary: keep them as a span from now on.
      this.spans ??= [];
      const fresh: DistinctSpan = { values: new Map(), from, to: from };
      this.spans[f] = fresh;
      return this.extendSpan(fresh, f, from, to);
    }
    scratch.set.clear();
    for (let i = first; i < first + inside; i++) this.distinct[i][f].addTo(scratch.set);
    return scratch.set.size;
  }

  /**
   * Moves a span to [from, to): the slices before `from` already left it (`trim`); the slices
   * entering join it. -1 (and the span dropped) when one of them holds a sketch.
   */
  private extendSpan(span: DistinctSpan, f: number, from: number, to: number): number {
    const slices = this.slices;
    for (let i = 0; i < slices.length && slices[i] < to; i++) {
      if (slices[i] < span.to || slices[i] < from) continue;
      const counter = this.distinct[i][f];
      if (counter.sketch) {
        (this.spans as Array<DistinctSpan | undefined>)[f] = undefined;
        return -1;
      }
      // Entering slices come in order: each is the last holding its values so far.
      for (const v of counter.values()) span.values.set(v, slices[i]);
    }
    span.from = from;
    span.to = to;
    return span.values.size;
  }

  /** Events in the window (all slices), for eviction accounting. */
  total(): number {
    let sum = 0;
    for (const c of this.counts) sum += c;
    return sum;
  }

  /** Empties the window for another group, handing its distinct counters to `recycle`. */
  reset(host: string, recycle: (counters: DistinctCounter[]) => void): void {
    for (const d of this.distinct) if (d !== NO_COUNTERS) recycle(d);
    this.spans = undefined;
    this.slices.length = 0;
    this.counts.length = 0;
    this.distinct.length = 0;
    this.samples.length = 0;
    this.netns.length = 0;
    this.host = host;
    this.dirtyFrom = Infinity;
  }

  /** The slice after the last judged one: events in later slices wait for their own judgement. */
  judged(upTo: number): void {
    const slices = this.slices;
    let i = 0;
    while (i < slices.length && slices[i] < upTo) i++;
    this.dirtyFrom = i < slices.length ? slices[i] : Infinity;
  }

  toState(): SlidingWindowState {
    return {
      slices: [...this.slices],
      counts: [...this.counts],
      distinct: this.distinct.map((d) => d.map((c) => c.toState())),
      samples: [...this.samples],
      netns: [...this.netns],
      host: this.host,
      dirtyFrom: this.dirtyFrom,
    };
  }

  static fromState(state: SlidingWindowState, exactLimit: number): SlidingWindow {
    const w = new SlidingWindow(state.host);
    w.slices.push(...state.slices);
    w.counts.push(...state.counts);
    for (const d of state.distinct) w.distinct.push(d.length === 0 ? NO_COUNTERS : d.map((c) => DistinctCounter.fromState(c, exactLimit)));
    w.samples.push(...state.samples);
    w.netns.push(...state.netns);
    w.dirtyFrom = state.dirtyFrom;
    return w;
  }
}
