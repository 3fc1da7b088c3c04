import type { TcpEvent } from '../interfaces/tcp-event';
import type { FieldGetter } from '../rules/field-getters';
import { DistinctCounter, type DistinctCounterState } from './distinct-counter';
import { dropFirst, emptyArray, tightArray } from './empty-array';
import type { HyperLogLog } from './hyper-log-log';

/** How many events a group keeps for the alert's `samples`, and how many namespaces it lists. */
const SAMPLES_PER_GROUP = 3;
const NETNS_PER_GROUP = 8;
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

/** A sliding window as plain JSON (engine state export): per slice, its number, count and distinct counters. */
export interface SlidingWindowState {
  slices: number[];
  counts: number[];
  distinct: DistinctCounterState[][];
  samples: TcpEvent[];
  netns: number[];
  host: string;
  dirtyFrom: number;
}

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
 *
 * Memory is what bounds a flood of one-shot groups (10,000 per rule), so the layout is flat: slice
 * numbers and counts interleave in one array of unboxed doubles, and the counters of all slices
 * share one array (`fields` per slice); emptied arrays keep their storage for the next group.
 */
export class SlidingWindow {
  /** [slice, count, slice, count, ...], oldest slice first. */
  readonly ring: number[] = tightArray(2, 0.5);
  /** The slices' distinct counters: `fields` per slice, in the ring's order and the rule's field order. */
  readonly distinct: DistinctCounter[];
  /**
   * Beside each counter of `distinct`, its exact count of values, or -1 once it is a sketch. A
   * judgement bounds and sums these for every slice of the window: read from one array of small
   * integers, not from the counters (two objects each, scattered over the heap).
   */
  readonly sizes: number[];
  /** A few recent events (the oldest replaced, when a slice opens, once no window holding the new event holds it). */
  readonly samples: TcpEvent[] = tightArray(1, undefined as unknown as TcpEvent);
  /** Namespaces the group's events came from (kept while it is tracked: a resolution after silence names them). */
  readonly netns: number[] = tightArray(1, 0.5);
  host: string;
  /** The lowest slice that received events since the last judgement (Infinity: none). */
  dirtyFrom = Infinity;
  /** Events came in that no judgement or look (RuleRuntime.look) has seen yet. */
  unseen = false;
  /** Per distinct field, kept only for windows with more values than a short merge handles; rebuilt when missing. */
  private spans: Array<DistinctSpan | undefined> | undefined;

  constructor(
    host: string,
    /** Distinct fields of the rule: counters per slice. */
    readonly fields: number,
  ) {
    this.host = host;
    this.distinct = tightArray(fields, undefined as unknown as DistinctCounter);
    this.sizes = tightArray(fields, 0);
  }

  get empty(): boolean {
    return this.ring.length === 0;
  }

  /** Slices held. */
  get size(): number {
    return this.ring.length >> 1;
  }

  /** The number of the i-th slice held (oldest first). */
  slice(i: number): number {
    return this.ring[2 * i];
  }

  /**
   * Counts `e` (as `value` events) into `slice`; `take` gives a recycled or new distinct counter.
   * With `judgedFields` (a rule whose `when` names only those distinct counts), the window is
   * marked changed only when one of them may have grown: a value new to its slice, or a sketch
   * (which cannot tell); otherwise every event changes it.
   */
  add(e: TcpEvent, slice: number, windowMs: number, getters: FieldGetter[], take: () => DistinctCounter, judgedFields?: number[]): void {
    const ring = this.ring;
    let at = ring.length - 2;
    const opened = at < 0 || ring[at] !== slice;
    if (opened) at = 2 * this.open(slice, take);
    ring[at + 1] += e.value ?? 1;
    const fields = this.fields;
    let grew = 0;
    if (fields > 0) {
      const base = (at >> 1) * fields;
      if (this.spans === undefined) {
        for (let f = 0; f < fields; f++) {
          const counter = this.distinct[base + f];
          if (this.sized(base + f, counter, counter.add(getters[f](e)))) grew |= 1 << f;
        }
      } else grew = this.addSpanned(at >> 1, base, getters, e, slice);
    }
    if (judgedFields === undefined || this.judgedGrew(judgedFields, grew, (at >> 1) * fields)) {
      if (slice < this.dirtyFrom) this.dirtyFrom = slice;
      this.unseen = true;
    }
    const samples = this.samples;
    if (samples.length < SAMPLES_PER_GROUP) samples.push(e);
    else if (opened && samples[0].ts < e.ts - windowMs) {
      // Refreshed only with a new slice: reading an old sample per event costs a cache miss.
      samples.shift();
      samples.push(e);
    }
    // Nearly every group sees one namespace: compare with it before searching the list.
    const netns = this.netns;
    const ns = e.netns;
    if (netns.length === 0 || (netns[0] !== ns && netns.length < NETNS_PER_GROUP && !netns.includes(ns))) netns.push(ns);
  }

  /**
   * Keeps `sizes[c]` in step with counter c after an add that returned `fresh` (a value new to it
   * while still exact): one more value, or -1 once the add made it a sketch. Returns `fresh`.
   */
  private sized(c: number, counter: DistinctCounter, fresh: boolean): boolean {
    if (fresh) this.sizes[c]++;
    else if (this.sizes[c] >= 0 && counter.sketch) this.sizes[c] = -1;
    return fresh;
  }

  /** Whether a judged field's count may have grown: `grew` has bit f set for a value new to its slice's counter. */
  private judgedGrew(judgedFields: number[], grew: number, base: number): boolean {
    for (let i = 0; i < judgedFields.length; i++) {
      const f = judgedFields[i];
      if ((grew & (1 << f)) !== 0 || this.sizes[base + f] < 0) return true;
    }
    return false;
  }

  /**
   * `add` for a window with spans: a value new to a slice inside a span joins the span. Returns
   * bit f set for a value new to field f's counter. In the newest slice of a span (where events
   * land), the span itself says whether a value is new to the slice (its last slice is this one
   * or not): the counter then skips its own search, a scan of up to 64 values per event.
   */
  private addSpanned(index: number, base: number, getters: FieldGetter[], e: TcpEvent, slice: number): number {
    const spans = this.spans as Array<DistinctSpan | undefined>;
    const ring = this.ring;
    let grew = 0;
    for (let f = 0; f < this.fields; f++) {
      const v = getters[f](e);
      const counter = this.distinct[base + f];
      const span = spans[f];
      const inSpan = span !== undefined && v !== undefined && slice >= span.from && slice < span.to;
      if (inSpan && (2 * index + 2 >= ring.length || ring[2 * index + 2] >= span.to)) {
        // No newer slice in the span: the value's last slice is this one exactly when this slice holds it.
        if (span.values.get(v) === slice) continue;
        if (this.sized(base + f, counter, counter.addNew(v))) grew |= 1 << f;
        if (counter.sketch) spans[f] = undefined;
        else span.values.set(v, slice);
        continue;
      }
      const fresh = this.sized(base + f, counter, counter.add(v));
      if (fresh) grew |= 1 << f;
      if (!span) continue;
      // A sketch cannot say which values leave with its slice: the span is dropped (merges take over).
      if (counter.sketch) spans[f] = undefined;
      else if (fresh && inSpan) {
        const last = span.values.get(v as string | number);
        if (last === undefined || last < slice) span.values.set(v as string | number, slice);
      }
    }
    return grew;
  }

  /** The index of `slice`, inserted in order (an event older than the newest slice lands in place). */
  private open(slice: number, take: () => DistinctCounter): number {
    const ring = this.ring;
    let i = ring.length >> 1;
    while (i > 0 && ring[2 * (i - 1)] > slice) i--;
    if (i > 0 && ring[2 * (i - 1)] === slice) return i - 1;
    const fields = this.fields;
    if (2 * i === ring.length) {
      ring.push(slice, 0);
      for (let f = 0; f < fields; f++) {
        this.distinct.push(take());
        this.sizes.push(0);
      }
    } else {
      ring.splice(2 * i, 0, slice, 0);
      for (let f = 0; f < fields; f++) {
        this.distinct.splice(i * fields + f, 0, take());
        this.sizes.splice(i * fields + f, 0, 0);
      }
    }
    return i;
  }

  /**
   * Drops the slices before `first` (out of every window still to be judged), handing their
   * distinct counters to `recycle`. Returns the events they held (0: nothing left the window).
   */
  trim(first: number, recycle: (counter: DistinctCounter) => void): number {
    const ring = this.ring;
    let n = 0;
    while (2 * n < ring.length && ring[2 * n] < first) n++;
    if (n === 0) return 0;
    let events = 0;
    for (let i = 0; i < n; i++) {
      events += ring[2 * i + 1];
      if (this.spans) this.leaveSpans(i, first);
    }
    const fields = this.fields;
    for (let c = 0; c < n * fields; c++) recycle(this.distinct[c]);
    dropFirst(ring, 2 * n);
    dropFirst(this.distinct, n * fields);
    dropFirst(this.sizes, n * fields);
    return events;
  }

  /** Takes the values of the i-th slice (leaving the window) out of the spans holding them as their last. */
  private leaveSpans(i: number, first: number): void {
    const spans = this.spans as Array<DistinctSpan | undefined>;
    const slice = this.ring[2 * i];
    for (let f = 0; f < spans.length; f++) {
      const span = spans[f];
      if (!span) continue;
      if (slice >= span.from && slice < span.to) {
        this.distinct[i * this.fields + f].leaveSpan(span.values, slice);
      }
      if (span.from < first) span.from = first;
    }
  }

  /** Events in the slices [from, to). */
  count(from: number, to: number): number {
    const ring = this.ring;
    let sum = 0;
    for (let i = 0; i < ring.length && ring[i] < to; i += 2) if (ring[i] >= from) sum += ring[i + 1];
    return sum;
  }

  /** Whether any slice in [from, to) holds events. */
  holds(from: number, to: number): boolean {
    const ring = this.ring;
    for (let i = 0; i < ring.length && ring[i] < to; i += 2) if (ring[i] >= from) return true;
    return false;
  }

  /**
   * Distinct values of field `f` over the slices [from, to): exact sets are merged exactly (a few
   * values in a list, many in a Set, or, with `keep` (judged at every boundary), in a span kept up
   * to date), and as soon as one slice holds a sketch the merge is a sketch (register-wise maximum).
   */
  distinctCount(f: number, from: number, to: number, scratch: DistinctScratch, keep = false): number {
    const span = keep ? this.spans?.[f] : undefined;
    if (span && span.from <= from && span.to <= to) {
      const size = this.extendSpan(span, f, from, to);
      if (size >= 0) return size;
    }
    const ring = this.ring;
    const fields = this.fields;
    let first = -1;
    let inside = 0;
    let sketched = false;
    let total = 0;
    for (let i = 0; 2 * i < ring.length && ring[2 * i] < to; i++) {
      if (ring[2 * i] < from) continue;
      if (first < 0) first = i;
      inside++;
      const size = this.sizes[i * fields + f];
      if (size < 0) sketched = true;
      else total += size;
    }
    if (sketched) {
      if (this.spans) this.spans[f] = undefined;
      scratch.sketch.registers.fill(0);
      for (let i = first; i < first + inside; i++) this.distinct[i * fields + f].mergeInto(scratch.sketch);
      return scratch.sketch.estimate();
    }
    if (inside === 0) return 0;
    if (inside === 1) return this.sizes[first * fields + f];
    if (total <= SMALL_MERGE) {
      const list = scratch.list;
      emptyArray(list);
      for (let i = first; i < first + inside; i++) this.distinct[i * fields + f].addNewTo(list);
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
    for (let i = first; i < first + inside; i++) this.distinct[i * fields + f].addTo(scratch.set);
    return scratch.set.size;
  }

  /**
   * Bounds of `distinctCount(f, from, to)` without merging, into `lo[i]` and `hi[i]`: at least the
   * largest slice's count and at most their sum while every slice is exact; from 0 to Infinity
   * once one is a sketch (a merged sketch's estimate may fall outside both).
   */
  distinctRange(f: number, from: number, to: number, lo: Float64Array, hi: Float64Array, i: number): void {
    const ring = this.ring;
    const fields = this.fields;
    let largest = 0;
    let total = 0;
    for (let s = 0; 2 * s < ring.length && ring[2 * s] < to; s++) {
      if (ring[2 * s] < from) continue;
      const size = this.sizes[s * fields + f];
      if (size < 0) {
        lo[i] = 0;
        hi[i] = Infinity;
        return;
      }
      total += size;
      if (size > largest) largest = size;
    }
    lo[i] = largest;
    hi[i] = total;
  }

  /**
   * Moves a span to [from, to): the slices before `from` already left it (`trim`); the slices
   * entering join it. -1 (and the span dropped) when one of them holds a sketch.
   */
  private extendSpan(span: DistinctSpan, f: number, from: number, to: number): number {
    const ring = this.ring;
    for (let i = 0; 2 * i < ring.length && ring[2 * i] < to; i++) {
      const slice = ring[2 * i];
      if (slice < span.to || slice < from) continue;
      const counter = this.distinct[i * this.fields + f];
      if (this.sizes[i * this.fields + f] < 0) {
        (this.spans as Array<DistinctSpan | undefined>)[f] = undefined;
        return -1;
      }
      // Entering slices come in order: each is the last holding its values so far.
      counter.enterSpan(span.values, slice);
    }
    span.from = from;
    span.to = to;
    return span.values.size;
  }

  /** Events in the window (all slices), for eviction accounting. */
  total(): number {
    let sum = 0;
    for (let i = 1; i < this.ring.length; i += 2) sum += this.ring[i];
    return sum;
  }

  /** Empties the window for another group, handing its distinct counters to `recycle`. */
  clear(host: string, recycle: (counter: DistinctCounter) => void): void {
    for (const c of this.distinct) recycle(c);
    this.spans = undefined;
    emptyArray(this.ring);
    emptyArray(this.distinct);
    emptyArray(this.sizes);
    emptyArray(this.samples);
    emptyArray(this.netns);
    this.host = host;
    this.dirtyFrom = Infinity;
    this.unseen = false;
  }

  /** The slice after the last judged one: events in later slices wait for their own judgement. */
  judged(upTo: number): void {
    const ring = this.ring;
    let i = 0;
    while (i < ring.length && ring[i] < upTo) i += 2;
    this.dirtyFrom = i < ring.length ? ring[i] : Infinity;
    this.unseen = i < ring.length;
  }

  toState(): SlidingWindowState {
    const slices: number[] = [];
    const counts: number[] = [];
    const distinct: DistinctCounterState[][] = [];
    for (let i = 0; i < this.size; i++) {
      slices.push(this.ring[2 * i]);
      counts.push(this.ring[2 * i + 1]);
      distinct.push(this.distinct.slice(i * this.fields, (i + 1) * this.fields).map((c) => c.toState()));
    }
    return { slices, counts, distinct, samples: [...this.samples], netns: [...this.netns], host: this.host, dirtyFrom: this.dirtyFrom };
  }

  /** Takes an exported window's slices (this one empty). */
  load(state: SlidingWindowState, exactLimit: number): void {
    state.slices.forEach((slice, i) => {
      this.ring.push(slice, state.counts[i]);
      for (const c of state.distinct[i]) {
        const counter = DistinctCounter.fromState(c, exactLimit);
        this.distinct.push(counter);
        this.sizes.push(counter.sketch ? -1 : counter.size);
      }
    });
    this.samples.push(...state.samples);
    this.netns.push(...state.netns);
    this.host = state.host;
    this.dirtyFrom = state.dirtyFrom;
    this.unseen = Number.isFinite(state.dirtyFrom);
  }
}
