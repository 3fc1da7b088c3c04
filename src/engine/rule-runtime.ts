import type { Alert, AlertStatus } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { AddressColumns } from '../rules/address-columns';
import { DISTINCT_PREFIX } from '../rules/aggregates';
import type { CompiledRule } from '../rules/compiled-rule';
import { FIELD_GETTERS, type FieldGetter } from '../rules/field-getters';
import { alertId } from './alert-id';
import { newAlertEpisode, stepAlert } from './alert-state-machine';
import { baselineFacts, newBaselineHistory, recordBaseline, rollBaseline } from './baseline-history';
import { CappedMap } from './capped-map';
import { DistinctCounter } from './distinct-counter';
import type { RuleState } from './engine-state';
import { GROUP_SEPARATOR } from './group-key';
import type { GroupKeyCache } from './group-key-cache';
import { GroupState, groupStateFromJson, groupStateJson } from './group-state';
import { HyperLogLog } from './hyper-log-log';
import { rangeVerdict, type RangeVerdict } from './range-verdict';
import { RuleJudge } from './rule-judge';
import type { RuleStats } from './rule-stats';
import { sliceMsOf, type DistinctScratch } from './sliding-window';
import { renderSummary } from './summary';

/** Two integers under 2^26 pack exactly into one double: a * PACK + b. */
const PACK = 2 ** 26;

// Globals used per event are read once here: in a vm context (jest runs the tests in one) every
// global lookup costs about 100 ns, which made the per-event path five times slower there.
const floor = Math.floor;

interface Limits {
  maxKeys: number;
  exactLimit: number;
  ownsGroup?: (ruleId: string, groupKey: string) => boolean;
  host: string;
}

/** One group judged at a slice boundary, its window figures taken before json-rules-engine is awaited. */
interface Judgement {
  g: GroupState;
  generation: number;
  count: number;
  /** The facts `when` names, in RuleJudge.facts order (kept only when json-rules-engine must run). */
  values: Float64Array | undefined;
  key: string | number;
  holds: boolean | undefined;
}

/** One slice boundary being judged: its groups' judgements, between `judgeAt` and `close`. */
interface Boundary {
  at: number;
  /** The boundary's slice number (at / slice length). */
  k: number;
  jobs: Judgement[];
  /** Groups with nothing left in their window, forgotten at `close` unless events came back. */
  emptied: GroupState[];
  /** The soonest later boundary at which a group not firing could change (epoch ms). */
  soonest: number;
  /** `pushes` when the groups were taken: events pushed before `close` mean the next boundary is due. */
  pushes: number;
}

/** Codes of the judged facts that are not distinct counts (those are the distinct field's index, 0 or more). */
const FACT_COUNT = -1;
const FACT_RATE = -2;
const FACT_BASELINE = -3;
const FACT_SPIKE = -4;
const FACT_CODES = new Map([
  ['count', FACT_COUNT],
  ['rate', FACT_RATE],
  ['baseline', FACT_BASELINE],
  ['spike', FACT_SPIKE],
]);

/** Events lost per slice, by stage: an alert reports those of the slices of its window. */
type SliceLoss = [evicted: number, late: number];

/**
 * One rule at run time: a sliding window per group (a ring of slices, see SlidingWindow), judged
 * at slice boundaries in event time. At each boundary T (a multiple of the slice length), the
 * groups whose window [T - window, T) changed since their last judgement (new events, slices
 * leaving the window) and the firing groups are judged; nothing else is. The judgement instants
 * and what each one sees are a function of the events' timestamps, not of when `advance` runs, so
 * replays, N workers and a failover judge the same windows and produce the same alert ids.
 */
export class RuleRuntime {
  private readonly groups: CappedMap<GroupState>;
  private readonly judge: RuleJudge;
  private readonly sliceMs: number;
  private readonly slicesPerWindow: number;
  /** The last slice boundary judged (epoch ms); undefined until the first events. */
  private judgedUntil: number | undefined;
  /** Events in slices before this one are outside every window still to judge: late. */
  private firstOpen = -Infinity;
  /** Start of the first block (window-long period) of this rule: before it there is no past for a baseline. */
  private firstBlock: number | undefined;
  private firing = 0;
  /** Pushes seen, so a judgement that awaited json-rules-engine knows whether events came in meanwhile. */
  private pushes = 0;
  private readonly loss = new Map<number, SliceLoss>();
  /** Group states and distinct counters of evicted or emptied groups, reused: under a flood every insert evicts one. */
  private readonly spareGroups: GroupState[] = [];
  private readonly spareCounters: DistinctCounter[] = [];
  private readonly scratch: DistinctScratch = { list: [], set: new Set(), sketch: new HyperLogLog() };
  /** `when` names no fact but `count` and `rate` (a function of count): the count alone is the memo key. */
  private readonly countOnly: boolean;
  /**
   * `when` names distinct counts only (and the rule keeps no baseline, whose record needs the
   * counts): a group is judged again only when one of them may have grown (a value new to its
   * slice) or slices left its window, and the count is left out of the memo key. Under a spoofed
   * flood every packet used to make port-scan judge its group again.
   */
  private readonly distinctOnly: number[] | undefined;
  /** The distinct fields (indices into the rule's) that `when` names, and whether it names baseline or spike. */
  private readonly judgedDistinct: number[];
  private readonly judgedBaseline: boolean;
  /** What each fact `when` names is (RuleJudge.facts order): a distinct field's index, or one of the FACT_ codes. */
  private readonly judgedFacts: number[];
  /** Where the judged distinct counts sit in the judged facts, in `judgedDistinct` order. */
  private readonly judgedDistinctAt: number[];
  /** The facts of the judgement being made, filled once and read by the memo key, the bounds and json-rules-engine. */
  private readonly judgedValues: Float64Array;
  /**
   * For a rule whose `when` names distinct counts and no baseline: its verdict on the ranges of
   * the facts (`rangeLo`, `rangeHi`), tried before the distinct counts are merged (RangeVerdict).
   */
  private readonly rangeVerdict: RangeVerdict | undefined;
  private readonly rangeLo: Float64Array;
  private readonly rangeHi: Float64Array;
  private counters = { evictedGroups: 0, evictedEvents: 0, lateEvents: 0, failedBatches: 0 };

  constructor(
    public rule: CompiledRule,
    private readonly limits: Limits,
  ) {
    this.sliceMs = sliceMsOf(rule.windowMs);
    this.slicesPerWindow = rule.windowMs / this.sliceMs;
    this.groups = new CappedMap<GroupState>(
      limits.maxKeys,
      (_key, g) => this.evicted(g),
      (g) => g.episode?.firing === true,
    );
    this.distinctGetters = rule.distinctFields.map((f) => FIELD_GETTERS[f]);
    this.groupGetters = rule.groupBy.map((f) => FIELD_GETTERS[f]);
    const order = ['count', 'rate', ...rule.distinctFields.map((f) => DISTINCT_PREFIX + f), ...(rule.baseline ? ['baseline', 'spike'] : [])];
    this.judge = new RuleJudge(rule, order);
    this.countOnly = this.judge.facts.every((f) => f === 'count' || f === 'rate');
    this.judgedDistinct = rule.distinctFields.map((f, i) => (this.judge.facts.includes(DISTINCT_PREFIX + f) ? i : -1)).filter((i) => i >= 0);
    this.judgedBaseline = this.judge.facts.includes('baseline') || this.judge.facts.includes('spike');
    const onlyDistinct = this.judge.facts.length > 0 && this.judge.facts.every((f) => f.startsWith(DISTINCT_PREFIX));
    this.distinctOnly = onlyDistinct && !rule.baseline ? this.judgedDistinct : undefined;
    this.judgedFacts = this.judge.facts.map((f) => FACT_CODES.get(f) ?? rule.distinctFields.indexOf(f.slice(DISTINCT_PREFIX.length) as never));
    this.judgedValues = new Float64Array(this.judgedFacts.length);
    this.judgedDistinctAt = this.judgedDistinct.map((f) => this.judgedFacts.indexOf(f));
    const ranged = this.judgedDistinct.length > 0 && !this.judgedBaseline;
    this.rangeVerdict = ranged ? rangeVerdict(rule.when, rule.sharedConditions, this.judge.facts) : undefined;
    this.rangeLo = new Float64Array(this.judgedFacts.length);
    this.rangeHi = new Float64Array(this.judgedFacts.length);
  }

  /** The memo key of the last `verdict` (0 where the ranges gave it). */
  private judgedKey: string | number = 0;

  /** The rule's slot in the engine's group key cache. */
  keySlot = 0;
  /**
   * The tracked groups by the id of their interned key (GroupKeyCache.lastId), of the table of
   * epoch `byKeyIdEpoch`: an array read instead of a lookup of the key string in `groups`. A
   * group leaves it when it leaves `groups`, and the whole array goes when the table does.
   */
  private byKeyId: Array<GroupState | undefined> = [];
  private byKeyIdEpoch = 0;
  private readonly distinctGetters: FieldGetter[];
  private readonly groupGetters: FieldGetter[];
  private readonly takeCounter = (): DistinctCounter => this.spareCounters.pop() ?? new DistinctCounter(this.limits.exactLimit);
  private readonly recycleCounter = (counter: DistinctCounter): void => {
    if (this.spareCounters.length >= this.limits.maxKeys) return;
    counter.reset();
    this.spareCounters.push(counter);
  };

  /** The per-kind lists of a pushed batch this rule reads (their indices); set by the engine. */
  kindLists: number[] = [];

  /** Counts a pushed batch this rule failed on (see RuleStats.failedBatches). */
  failedBatch(): void {
    this.counters.failedBatches++;
  }

  /** Called once per pushed batch before `addAll`: the first batch fixes where this rule's judgements start. */
  begin(batchMinTs: number): void {
    this.pushes++;
    if (this.judgedUntil === undefined) {
      this.setJudgedUntil(floor(batchMinTs / this.sliceMs) * this.sliceMs);
      this.firstBlock = floor(batchMinTs / this.rule.windowMs) * this.rule.windowMs;
    }
  }

  private setJudgedUntil(t: number): void {
    this.judgedUntil = t;
    // The next judgement, at t + slice, sees the slices [t/slice + 1 - n, t/slice].
    this.firstOpen = t / this.sliceMs + 1 - this.slicesPerWindow;
  }

  /**
   * Counts the events of one kind's list of a batch. The engine calls it rule by rule rather
   * than event by event, so one rule's groups stay in the CPU cache while its events go by.
   */
  addAll(events: TcpEvent[], addresses: AddressColumns, keys: GroupKeyCache, scratch: Uint32Array): void {
    const n = this.rule.matchAll(events, scratch, addresses);
    for (let j = 0; j < n; j++) {
      const e = events[scratch[j]];
      const key = keys.key(this.keySlot, e);
      const id = keys.lastId;
      // Asked per event: the table may be dropped by any key of the batch.
      if (id >= 0 && keys.epoch(this.keySlot) !== this.byKeyIdEpoch) {
        this.forgetKeyIds();
        this.byKeyIdEpoch = keys.epoch(this.keySlot);
      }
      this.add(e, key, id);
    }
  }

  /** Empties `byKeyId`: its ids are those of a table dropped (or of the groups imported over). */
  private forgetKeyIds(): void {
    for (const g of this.byKeyId) if (g) g.keyId = -1;
    this.byKeyId = [];
  }

  /** Counts `e` into its group: `key`, whose id in the key cache's table is `id` (-1: none, see GroupKeyCache.lastId). */
  private add(e: TcpEvent, key: string, id: number): void {
    const slice = floor(e.ts / this.sliceMs);
    if (slice < this.firstOpen) {
      this.counters.lateEvents++;
      this.lossAt((this.judgedUntil as number) / this.sliceMs)[1]++;
      return;
    }
    // Asked for every event, not once per group: with queue partitions, a copy of the event also arrives
    // in the batch of another queue partition (for another rule's group), where this group is not owned.
    if (this.limits.ownsGroup && !this.limits.ownsGroup(this.rule.id, key)) return;
    let g = id >= 0 ? this.byKeyId[id] : undefined;
    if (g !== undefined) g.touched = true;
    else {
      g = this.groups.get(key) ?? this.newGroup(key, e);
      if (id >= 0) {
        const byKeyId = this.byKeyId;
        // Grown in order, without holes past its end: the array stays dense.
        while (byKeyId.length <= id) byKeyId.push(undefined);
        byKeyId[id] = g;
        g.keyId = id;
      }
    }
    g.add(e, slice, this.rule.windowMs, this.distinctGetters, this.takeCounter, this.distinctOnly);
  }

  private newGroup(key: string, e: TcpEvent): GroupState {
    // map() sizes the array exactly: a flood keeps 10,000 of these per rule.
    const group = this.groupGetters.map((get) => get(e) ?? '');
    let g = this.spareGroups.pop();
    if (g) {
      g.key = key;
      g.group = group;
      g.host = e.host;
    } else g = new GroupState(key, group, e.host, this.distinctGetters.length);
    if (this.rule.baseline) g.baseline = newBaselineHistory(this.firstBlock as number);
    this.groups.set(key, g);
    return g;
  }

  private evicted(g: GroupState): void {
    for (let i = 0; i < g.ring.length; i += 2) this.lossAt(g.ring[i])[0] += g.ring[i + 1];
    const events = g.total();
    this.counters.evictedGroups++;
    this.counters.evictedEvents += events;
    if (g.episode?.firing) this.firing--;
    this.recycle(g);
  }

  /** Empties a group state that left the map and keeps it for a new group. */
  private recycle(g: GroupState): void {
    if (g.keyId >= 0) {
      this.byKeyId[g.keyId] = undefined;
      g.keyId = -1;
    }
    g.generation++;
    g.clear('', this.recycleCounter);
    g.episode = undefined;
    g.baseline = undefined;
    g.touched = false;
    if (this.spareGroups.length < this.limits.maxKeys) this.spareGroups.push(g);
  }

  private lossAt(slice: number): SliceLoss {
    let l = this.loss.get(slice);
    if (!l) this.loss.set(slice, (l = [0, 0]));
    return l;
  }

  /**
   * Judges every slice boundary up to `now` (event time), appending the resulting alerts; then,
   * given `lookUntil` (the newest instant events may have come in for, live), looks into the
   * open slice (see `look`). Returns a promise only when json-rules-engine has to be asked: most
   * verdicts are remembered, and a tick that only needs those makes no promise for the rule.
   */
  advance(now: number, out: Alert[], lookUntil?: number): Promise<void> | undefined {
    const last = floor(now / this.sliceMs) * this.sliceMs;
    while (this.judgedUntil !== undefined && this.judgedUntil < last) {
      const boundary = this.judgeAt(this.judgedUntil + this.sliceMs);
      const asking = this.verdicts(boundary.jobs);
      if (asking) {
        return asking.then(() => {
          this.close(boundary, last, out);
          return this.advance(now, out, lookUntil);
        });
      }
      this.close(boundary, last, out);
    }
    if (lookUntil !== undefined && this.judge.risesWithEvents) return this.look(lookUntil, out);
    return undefined;
  }

  /**
   * Fires before the slice closes. The groups with events no judgement has seen in the window the
   * next boundary judges are judged on what has come in so far, and those whose condition holds
   * fire now, at that boundary, instead of a slice (plus lateness) later. Only for rules whose
   * condition can only become true as events come in (RuleJudge.risesWithEvents): the boundary's
   * own judgement then holds too, so the episode, its id and its repeats are the ones a replay
   * produces; the alert's figures are those of the part of the slice seen, and its window ends at
   * `lookUntil` rather than at the boundary still to come.
   */
  private look(lookUntil: number, out: Alert[]): Promise<void> | undefined {
    if (this.judgedUntil === undefined) return undefined;
    const rule = this.rule;
    const n = this.slicesPerWindow;
    const at = this.judgedUntil + this.sliceMs;
    const k = at / this.sliceMs;
    const jobs: Judgement[] = [];
    const groups = this.groups.values();
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (!g.unseen || g.dirtyFrom >= k || g.episode?.firing === true) continue;
      g.unseen = false;
      // Slices leaving at the boundary may go now: the group is judged there anyway (its dirtyFrom is inside the window).
      g.trim(k - n, this.recycleCounter);
      const count = g.count(k - n, k);
      if (g.baseline) rollBaseline(g.baseline, blockStartOf(at, rule.windowMs), rule.windowMs, rule.baseline!.windows);
      const holds = this.verdict(g, k, count);
      if (holds !== false) jobs.push(this.judgement(g, count, holds));
    }
    const fire = (): void => {
      for (const job of jobs) {
        const g = job.g;
        if (g.generation !== job.generation || job.holds !== true || g.episode?.firing === true) continue;
        g.episode ??= newAlertEpisode();
        stepAlert(g.episode, true, at, this.sliceMs, rule.cooldownMs, rule.resolveMs);
        this.firing++;
        out.push(this.alert('firing', g, this.facts(g, k, job.count), at, this.lossOf(k), Math.min(lookUntil, at)));
      }
    };
    const asking = this.verdicts(jobs);
    if (asking) return asking.then(fire);
    fire();
    return undefined;
  }

  /**
   * One group's verdict at slice boundary k (its baseline rolled), as the ranges, the memo or
   * the bounds know it (RuleJudge); undefined: json-rules-engine must say, on the facts left in
   * `judgedValues`, under the memo key left in `judgedKey`. The facts are computed once, as
   * numbers, for all three: a distinct count (a merge of the slices' sketches when they are
   * sketches) is not computed twice.
   */
  private verdict(g: GroupState, k: number, count: number): boolean | undefined {
    this.judgedKey = 0;
    if (this.rangeVerdict) {
      const holds = this.rangeVerdict(this.fillRanges(g, k, count), this.rangeHi);
      if (holds !== undefined) return holds;
    }
    const values = this.judgedValues;
    const baseline = this.fillJudgedValues(g, k, count, values);
    const key = this.countOnly ? count : this.memoKey(g, values, this.distinctOnly ? 0 : count, baseline);
    this.judgedKey = key;
    const holds = this.judge.known(key);
    if (holds === undefined && this.judge.hasBounds) return this.judge.bounded(values);
    return holds;
  }

  /**
   * The judgement to act on for the verdict `verdict` just gave: made only for the groups that
   * need one, as most verdicts are a false nobody acts on (no object made per group and tick).
   */
  private judgement(g: GroupState, count: number, holds: boolean | undefined): Judgement {
    const values = holds === undefined ? Float64Array.from(this.judgedValues) : undefined;
    return { g, generation: g.generation, count, values, key: this.judgedKey, holds };
  }

  /**
   * The facts `when` names of one group's window, the slices [k - n, k) holding `count` events,
   * into `values`. Returns the baseline when `when` names baseline or spike (the memo key holds
   * it even where `when` names only spike), else NaN.
   */
  private fillJudgedValues(g: GroupState, k: number, count: number, values: Float64Array): number {
    const from = k - this.slicesPerWindow;
    const codes = this.judgedFacts;
    let baseline: { baseline: number; spike: number } | undefined;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code >= 0) values[i] = g.distinctCount(code, from, k, this.scratch, true);
      else if (code === FACT_COUNT) values[i] = count;
      else if (code === FACT_RATE) values[i] = count / (this.rule.windowMs / 1000);
      else {
        baseline ??= g.baseline ? baselineFacts(g.baseline, count, this.rule.baseline!.minCount) : { baseline: NaN, spike: NaN };
        values[i] = code === FACT_BASELINE ? baseline.baseline : baseline.spike;
      }
    }
    return baseline?.baseline ?? NaN;
  }

  /**
   * The ranges of the facts `when` names (no baseline: see rangeVerdict) of one group's window,
   * the slices [k - n, k) holding `count` events, into `rangeLo` (returned) and `rangeHi`: the
   * count and rate exactly, the distinct counts as SlidingWindow.distinctRange bounds them.
   */
  private fillRanges(g: GroupState, k: number, count: number): Float64Array {
    const from = k - this.slicesPerWindow;
    const codes = this.judgedFacts;
    const lo = this.rangeLo;
    const hi = this.rangeHi;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code >= 0) g.distinctRange(code, from, k, lo, hi, i);
      else lo[i] = hi[i] = code === FACT_COUNT ? count : count / (this.rule.windowMs / 1000);
    }
    return lo;
  }

  /**
   * Asks json-rules-engine for the verdicts the memo and the bounds do not know (one run per distinct set of
   * facts); undefined, and no promise made, when every verdict is known.
   */
  private verdicts(jobs: Judgement[]): Promise<void> | undefined {
    let asks: Array<Promise<void>> | undefined;
    for (const j of jobs) {
      if (j.holds !== undefined) continue;
      (asks ??= []).push(
        this.judge.run(j.key, j.values as Float64Array).then((holds) => {
          j.holds = holds;
        }),
      );
    }
    return asks && Promise.all(asks).then(() => undefined);
  }

  /**
   * Takes the groups whose window as of `at` differs from their last judgement, and the firing
   * ones, with the verdicts the memo knows; `close` acts on them once every verdict is in.
   */
  private judgeAt(at: number): Boundary {
    const rule = this.rule;
    const n = this.slicesPerWindow;
    const k = at / this.sliceMs;
    const blockEnd = rule.baseline !== undefined && at % rule.windowMs === 0;
    let soonest = Infinity;
    const jobs: Judgement[] = [];
    const emptied: GroupState[] = [];
    const groups = this.groups.values();
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      let dirty = g.trim(k - n, this.recycleCounter) > 0 || g.dirtyFrom < k;
      if (!dirty && blockEnd && g.holds(k - n, k)) dirty = true;
      const firing = g.episode?.firing === true;
      if (dirty || firing) {
        const count = g.count(k - n, k);
        if (g.baseline) rollBaseline(g.baseline, blockStartOf(at, rule.windowMs), rule.windowMs, rule.baseline!.windows);
        const holds = this.verdict(g, k, count);
        // Nothing to do for a group whose condition is known false, with no alert or baseline to keep.
        if (holds !== false || g.episode || g.baseline) jobs.push(this.judgement(g, count, holds));
        g.judged(k);
      }
      if (!firing && !g.empty) {
        soonest = Math.min(soonest, (g.slice(0) + n + 1) * this.sliceMs);
        if (Number.isFinite(g.dirtyFrom)) soonest = Math.min(soonest, (g.dirtyFrom + 1) * this.sliceMs);
        if (rule.baseline) soonest = Math.min(soonest, (floor(at / rule.windowMs) + 1) * rule.windowMs);
      } else if (!firing) emptied.push(g);
    }
    return { at, k, jobs, emptied, soonest, pushes: this.pushes };
  }

  /**
   * Acts on a boundary's verdicts (alerts, baselines, forgetting emptied groups) and moves
   * `judgedUntil` on: to the soonest later boundary at which some group could change, at most
   * `last`, unless events came in while json-rules-engine ran.
   */
  private close(boundary: Boundary, last: number, out: Alert[]): void {
    const rule = this.rule;
    const { at, k, jobs, emptied } = boundary;
    let loss: Alert['loss'] | undefined;
    for (const job of jobs) {
      const g = job.g;
      // Recycled while json-rules-engine ran (evicted by events pushed meanwhile): its events are counted as evicted.
      if (g.generation !== job.generation) continue;
      const holds = job.holds as boolean;
      if (holds || g.episode) {
        g.episode ??= newAlertEpisode();
        const wasFiring = g.episode.firing;
        const step = stepAlert(g.episode, holds, at, this.sliceMs, rule.cooldownMs, rule.resolveMs);
        if (g.episode.firing !== wasFiring) this.firing += g.episode.firing ? 1 : -1;
        if (step) {
          loss ??= this.lossOf(k);
          out.push(this.alert(step === 'resolve' ? 'resolved' : 'firing', g, this.facts(g, k, job.count), at, loss));
        }
      }
      if (g.baseline) {
        recordBaseline(g.baseline, blockStartOf(at, rule.windowMs), rule.windowMs, at % rule.windowMs === 0, holds, job.count, rule.baseline!.windows);
      }
    }
    // Groups with nothing left in their window and no alert or baseline to keep are forgotten.
    if (!rule.baseline) {
      for (const g of emptied) {
        if (g.empty && !g.episode?.firing && this.groups.get(g.key) === g) {
          this.groups.delete(g.key);
          this.recycle(g);
        }
      }
    }
    // Firing groups are judged at every boundary (their repeat and resolution are due on time).
    const soonest = this.firing > 0 ? at + this.sliceMs : boundary.soonest;
    // Boundaries where no group changes are skipped, unless events came in while judging.
    const next = this.pushes === boundary.pushes ? Math.min(soonest - this.sliceMs, last) : at;
    this.setJudgedUntil(Math.max(next, at));
    for (const slice of this.loss.keys()) if (slice < this.firstOpen - 1) this.loss.delete(slice);
  }

  /**
   * What the verdict depends on, as a memo key, from the judged facts: the count (rate follows
   * from it), the distinct counts and the baseline (spike follows from count and baseline) that
   * `when` names (`baseline`: fillJudgedValues's). The usual pair (count, one distinct count)
   * packs into one number: no string is built per judgement.
   */
  private memoKey(g: GroupState, values: Float64Array, count: number, baseline: number): number | string {
    const at = this.judgedDistinctAt;
    if (at.length === 1 && !this.judgedBaseline) {
      const distinct = values[at[0]];
      if (count >= 0 && count < PACK && Number.isInteger(count) && distinct < PACK) return count * PACK + distinct;
      return `${count},${distinct}`;
    }
    let key = `${count}`;
    for (let i = 0; i < at.length; i++) key += `,${values[at[i]]}`;
    if (this.judgedBaseline && g.baseline) key += `,${baseline}`;
    return key;
  }

  /**
   * The aggregates of one group's window, the slices [k - n, k) holding `count` events: what an
   * alert reports. The baseline must have been rolled to the judgement's block.
   */
  private facts(g: GroupState, k: number, count: number): Record<string, number> {
    const rule = this.rule;
    const from = k - this.slicesPerWindow;
    const facts: Record<string, number> = { count, rate: count / (rule.windowMs / 1000) };
    for (let f = 0; f < rule.distinctFields.length; f++) facts[DISTINCT_PREFIX + rule.distinctFields[f]] = g.distinctCount(f, from, k, this.scratch);
    if (rule.baseline && g.baseline) {
      const b = baselineFacts(g.baseline, count, rule.baseline.minCount);
      facts.baseline = b.baseline;
      facts.spike = b.spike;
    }
    return facts;
  }

  /** Events lost (evicted groups' events, late events) in the slices of the window ending at slice boundary k. */
  private lossOf(k: number): Alert['loss'] {
    let evicted = 0;
    let late = 0;
    for (const [slice, l] of this.loss) {
      if (slice < k - this.slicesPerWindow || slice >= k) continue;
      evicted += l[0];
      late += l[1];
    }
    return { events: evicted + late, stages: { 'engine.evicted': evicted, 'engine.late': late } };
  }

  /** An alert of a judgement at boundary `at`, whose judged span ends at `end` (before `at` for a look into the open slice). */
  private alert(status: AlertStatus, g: GroupState, facts: Record<string, number>, at: number, loss: Alert['loss'], end = at): Alert {
    const rule = this.rule;
    const start = at - rule.windowMs;
    const dedupKey = rule.id + GROUP_SEPARATOR + g.key;
    const group: Record<string, string | number> = {};
    rule.groupBy.forEach((f, i) => {
      group[f] = g.group[i];
    });
    const episode = g.episode!;
    return {
      dedupKey,
      id: alertId(dedupKey, status, episode.startsAt, at),
      status,
      rule: { id: rule.id, name: rule.name, severity: rule.severity, tags: rule.tags },
      group,
      window: { start, end },
      aggregates: facts,
      summary: renderSummary(rule.summary, { ...group, ...facts }, rule.windowMs),
      host: g.host || this.limits.host,
      netns: [...g.netns],
      // The group's latest events from the window's start on: a batch pushed before the judgement
      // may hold events past its instant, and those are the episode's freshest.
      samples: g.samples.filter((e) => e.ts >= start),
      loss: { events: loss.events, stages: { ...loss.stages } },
      startsAt: episode.startsAt,
      ...(status === 'resolved' ? { endsAt: at } : {}),
    };
  }

  stats(): RuleStats {
    let windowGroups = 0;
    let openSlices = 0;
    for (const g of this.groups.values()) {
      if (g.empty) continue;
      windowGroups++;
      openSlices = Math.max(openSlices, g.size);
    }
    return {
      ruleId: this.rule.id,
      openSlices,
      windowGroups,
      trackedGroups: this.groups.size,
      firing: this.firing,
      ...this.counters,
      evaluations: this.judge.runs,
    };
  }

  /** The latest event time this rule holds a slice for, so a flush knows how far to advance. */
  get horizon(): number | undefined {
    let max = this.judgedUntil;
    if (max === undefined) return undefined;
    for (const g of this.groups.values()) if (!g.empty) max = Math.max(max, (g.slice(g.size - 1) + 1) * this.sliceMs);
    return max;
  }

  exportState(): RuleState {
    return {
      fingerprint: this.rule.fingerprint,
      judgedUntil: this.judgedUntil ?? null,
      firstBlock: this.firstBlock ?? null,
      groups: [...this.groups].map(([k, g]) => [k, groupStateJson(g)]),
      loss: [...this.loss].map(([slice, [evicted, late]]) => [slice, evicted, late]),
    };
  }

  /** Replaces this rule's state with an exported one (the caller checks the fingerprint). */
  importState(state: RuleState): void {
    this.forgetKeyIds();
    this.groups.clear();
    this.loss.clear();
    this.firing = 0;
    this.judgedUntil = undefined;
    this.firstOpen = -Infinity;
    if (state.judgedUntil !== null) this.setJudgedUntil(state.judgedUntil);
    this.firstBlock = state.firstBlock ?? undefined;
    for (const [k, json] of state.groups) {
      const g = groupStateFromJson(k, json, this.distinctGetters.length, this.limits.exactLimit);
      this.groups.set(k, g);
      if (g.episode?.firing) this.firing++;
    }
    for (const [slice, evicted, late] of state.loss) this.loss.set(slice, [evicted, late]);
  }
}

/** Start of the block (window-long period aligned in event time) that the window ending at `at` belongs to. */
function blockStartOf(at: number, windowMs: number): number {
  return (Math.ceil(at / windowMs) - 1) * windowMs;
}
