import { Engine as JsonRulesEngine } from 'json-rules-engine';
import type { Alert, AlertStatus } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';
import { DISTINCT_PREFIX } from '../rules/aggregates';
import type { CompiledRule } from '../rules/compiled-rule';
import { FIELD_GETTERS, type FieldGetter } from '../rules/field-getters';
import { alertId } from './alert-id';
import { CappedMap } from './capped-map';
import type { RuleState } from './engine-state';
import { GROUP_SEPARATOR } from './group-key';
import type { GroupKeyCache } from './group-key-cache';
import { newKeyState, type KeyState } from './key-state';
import type { RuleStats } from './rule-stats';
import { renderSummary } from './summary';
import {
  NETNS_PER_GROUP,
  newWindowAggregate,
  recycleWindowAggregate,
  SAMPLES_PER_GROUP,
  windowAggregateFromState,
  windowAggregateState,
  type WindowAggregate,
} from './window-aggregate';

// Globals used per event are read once here: in a vm context (jest runs the tests in one) every
// global lookup costs about 100 ns, which made the per-event path five times slower there.
const floor = Math.floor;

interface Limits {
  maxKeys: number;
  exactLimit: number;
  ownsGroup?: (ruleId: string, groupKey: string) => boolean;
  host: string;
}

/** One open window of a rule: its groups, and the events lost to the group cap. */
interface Window {
  groups: CappedMap<WindowAggregate>;
  evictedEvents: number;
}

/** One group to judge when a window closes. */
interface Judgement {
  key: string;
  agg: WindowAggregate | undefined;
  state: KeyState | undefined;
  facts: Record<string, number>;
}

/**
 * One rule at run time: its open tumbling windows (aligned to multiples of the window length in
 * event time, so every worker and every replay cuts the same windows), the state of its groups
 * across windows, and its alert state machine. json-rules-engine runs once per group per closed
 * window.
 */
export class RuleRuntime {
  private readonly windows = new Map<number, Window>();
  private readonly keys: CappedMap<KeyState>;
  private readonly firing = new Set<string>();
  private readonly judge: JsonRulesEngine;
  /** Start of the oldest window not yet closed; events before it are late. */
  private cursor: number | undefined;
  /** Start of the first window this rule saw: before it there is no past to take a baseline from. */
  private firstStart: number | undefined;
  private lastStart = NaN;
  private lastWindow: Window | undefined;
  private lateSinceClose = 0;
  /**
   * Aggregates of judged windows and evicted groups, reused for new groups: every window
   * allocates one per group otherwise, and under a flood every insert evicts one, so reuse keeps
   * the garbage collector (and the RSS) out of the per-event path. At most `maxKeys` are kept.
   */
  private readonly spares: WindowAggregate[] = [];
  private counters = { evictedGroups: 0, evictedEvents: 0, lateEvents: 0, evaluations: 0, failedBatches: 0 };

  constructor(
    public rule: CompiledRule,
    private readonly limits: Limits,
  ) {
    this.keys = new CappedMap<KeyState>(
      limits.maxKeys,
      () => this.counters.evictedGroups++,
      (s) => s.firing,
    );
    this.distinctGetters = rule.distinctFields.map((f) => FIELD_GETTERS[f]);
    this.groupGetters = rule.groupBy.map((f) => FIELD_GETTERS[f]);
    this.judge = new JsonRulesEngine([], { allowUndefinedFacts: false });
    for (const [name, cond] of Object.entries(rule.sharedConditions)) this.judge.setCondition(name, cond);
    this.judge.addRule({ conditions: rule.when, event: { type: 'fire' } });
  }

  /** The rule's slot in the engine's group key cache. */
  keySlot = 0;
  private readonly distinctGetters: FieldGetter[];
  private readonly groupGetters: FieldGetter[];

  /** The partitions (event kinds) of a pushed batch this rule reads; set by the engine. */
  partitions: number[] = [];

  /** Counts a pushed batch this rule failed on (see RuleStats.failedBatches). */
  failedBatch(): void {
    this.counters.failedBatches++;
  }

  /** Called once per pushed batch before `addAll`: the first batch fixes where this rule's windows start. */
  begin(batchMinTs: number): void {
    if (this.cursor === undefined) this.cursor = this.firstStart = Math.floor(batchMinTs / this.rule.windowMs) * this.rule.windowMs;
  }

  /**
   * Counts the events of one kind partition of a batch. The engine calls it rule by rule rather
   * than event by event, so one rule's groups stay in the CPU cache while its events go by.
   */
  addAll(events: TcpEvent[], keys: GroupKeyCache, scratch: Uint32Array): void {
    const n = this.rule.matchAll(events, scratch);
    for (let j = 0; j < n; j++) {
      const e = events[scratch[j]];
      this.add(e, keys.key(this.keySlot, e));
    }
  }

  private add(e: TcpEvent, key: string): void {
    const rule = this.rule;
    const w = rule.windowMs;
    const start = floor(e.ts / w) * w;
    if (start < (this.cursor as number)) {
      this.counters.lateEvents++;
      this.lateSinceClose++;
      return;
    }
    let window = start === this.lastStart ? this.lastWindow : undefined;
    if (!window) {
      window = this.windows.get(start);
      if (!window) window = this.openWindow(start, 0);
      this.lastStart = start;
      this.lastWindow = window;
    }
    // Asked for every event, not once per group: with partitions, a copy of the event also arrives
    // in the batch of another partition (for another rule's group), where this group is not owned.
    if (this.limits.ownsGroup && !this.limits.ownsGroup(rule.id, key)) return;
    let agg = window.groups.get(key);
    if (!agg) {
      const getters = this.groupGetters;
      const group: Array<string | number> = [];
      for (let i = 0; i < getters.length; i++) group.push(getters[i](e) ?? '');
      const spare = this.spares.pop();
      agg = spare ? recycleWindowAggregate(spare, group, e.host) : newWindowAggregate(group, rule.distinctFields.length, this.limits.exactLimit, e.host);
      window.groups.set(key, agg);
    }
    // A counter sample stands for `value` occurrences; any other event for one.
    agg.count += e.value ?? 1;
    const distinct = this.distinctGetters;
    for (let i = 0; i < distinct.length; i++) agg.distinct[i].add(distinct[i](e));
    if (agg.samples.length < SAMPLES_PER_GROUP) agg.samples.push(e);
    if (agg.netns.length < NETNS_PER_GROUP && !agg.netns.includes(e.netns)) agg.netns.push(e.netns);
  }

  private openWindow(start: number, evictedEvents: number): Window {
    const window: Window = {
      evictedEvents,
      groups: new CappedMap<WindowAggregate>(this.limits.maxKeys, (_key, agg) => {
        window.evictedEvents += agg.count;
        this.counters.evictedGroups++;
        this.counters.evictedEvents += agg.count;
        if (this.spares.length < this.limits.maxKeys) this.spares.push(agg);
      }),
    };
    this.windows.set(start, window);
    return window;
  }

  /** Closes every window that ends at or before `now` (event time), appending the resulting alerts. */
  async advance(now: number, out: Alert[]): Promise<void> {
    const w = this.rule.windowMs;
    while (this.cursor !== undefined && this.cursor + w <= now) {
      const start = this.cursor;
      const window = this.windows.get(start);
      // Take the window out before judging it: events pushed while json-rules-engine runs are late,
      // and must not change (or recycle) the aggregates being judged.
      this.windows.delete(start);
      if (this.lastStart === start) this.lastWindow = undefined;
      this.cursor = start + w;
      if (window || this.firing.size > 0) await this.close(start, window, out);
      if (this.firing.size === 0) {
        // Nothing to judge in empty windows: jump to the next window holding events, or to now's.
        let next = Math.floor(now / w) * w;
        for (const s of this.windows.keys()) if (s < next) next = s;
        if (next > this.cursor) this.cursor = next;
      }
    }
  }

  private async close(start: number, window: Window | undefined, out: Alert[]): Promise<void> {
    const jobs: Judgement[] = [];
    for (const [key, agg] of window?.groups ?? []) {
      let state = this.keys.get(key);
      if (!state && this.rule.baseline) {
        state = newKeyState(agg.group);
        this.keys.set(key, state);
      }
      jobs.push({ key, agg, state, facts: this.facts(start, agg, state) });
    }
    for (const key of this.firing) {
      if (window?.groups.has(key)) continue;
      const state = this.keys.get(key);
      if (!state) {
        this.firing.delete(key);
        continue;
      }
      jobs.push({ key, agg: undefined, state, facts: this.facts(start, undefined, state) });
    }
    this.counters.evaluations += jobs.length;
    const verdicts = await Promise.all(jobs.map(async (j) => (await this.judge.run(j.facts)).events.length > 0));
    const loss = { events: (window?.evictedEvents ?? 0) + this.lateSinceClose, stages: { 'engine.evicted': window?.evictedEvents ?? 0, 'engine.late': this.lateSinceClose } };
    this.lateSinceClose = 0;
    jobs.forEach((job, i) => this.transition(job, verdicts[i], start, out, loss));
    // Alerts copy what they need from the aggregates, so the window's aggregates can be reused.
    for (const [, agg] of window?.groups ?? []) if (this.spares.length < this.limits.maxKeys) this.spares.push(agg);
  }

  /** The aggregates the rule's `when` sees for one group and window. */
  private facts(start: number, agg: WindowAggregate | undefined, state: KeyState | undefined): Record<string, number> {
    const rule = this.rule;
    const count = agg?.count ?? 0;
    const facts: Record<string, number> = { count, rate: count / (rule.windowMs / 1000) };
    rule.distinctFields.forEach((field, i) => {
      facts[DISTINCT_PREFIX + field] = agg ? agg.distinct[i].size : 0;
    });
    if (rule.baseline && state) {
      const n = rule.baseline.windows;
      // Windows without events count 0: since the group's last window, or for a group new to the
      // rule, since the rule's first window (before that there is no past at all).
      const since = state.lastWindowStart === undefined ? (this.firstStart ?? start) - rule.windowMs : state.lastWindowStart;
      const quiet = Math.min((start - since) / rule.windowMs - 1, n);
      for (let i = 0; i < quiet; i++) state.history.push(0);
      if (state.history.length > n) state.history.splice(0, state.history.length - n);
      if (state.history.length === 0) {
        // The rule's first window: no past to compare with, so no spike rather than a false one.
        facts.baseline = rule.baseline.minCount;
        facts.spike = 0;
      } else {
        const mean = state.history.reduce((a, b) => a + b, 0) / state.history.length;
        facts.baseline = Math.max(mean, rule.baseline.minCount);
        // A baseline under one event would make the ratio meaningless (or infinite).
        facts.spike = count / Math.max(facts.baseline, 1);
      }
      state.lastWindowStart = start;
    }
    return facts;
  }

  private transition(job: Judgement, holds: boolean, start: number, out: Alert[], loss: Alert['loss']): void {
    const end = start + this.rule.windowMs;
    let state = job.state;
    const baseline = this.rule.baseline;
    if (baseline && state && !holds) {
      // Only windows where the condition is false feed the baseline: an attack must not become
      // the normal it is compared with, so a long episode keeps firing (and repeating) until it ends.
      state.history.push(job.facts.count);
      if (state.history.length > baseline.windows) state.history.splice(0, state.history.length - baseline.windows);
    }
    if (holds) {
      if (!state) {
        state = newKeyState(job.agg?.group ?? []);
        this.keys.set(job.key, state);
      }
      state.lastTrueEnd = end;
      if (job.agg) {
        state.host = job.agg.host;
        state.netns = [...job.agg.netns];
      }
      if (!state.firing) {
        state.firing = true;
        state.startsAt = end;
        state.lastSentEnd = end;
        this.firing.add(job.key);
        out.push(this.alert('firing', job, state, start, loss));
      } else if (end - state.lastSentEnd >= this.rule.cooldownMs) {
        state.lastSentEnd = end;
        out.push(this.alert('firing', job, state, start, loss));
      }
    } else if (state?.firing && end - state.lastTrueEnd >= this.rule.resolveMs) {
      state.firing = false;
      this.firing.delete(job.key);
      out.push(this.alert('resolved', job, state, start, loss));
      if (!this.rule.baseline) this.keys.delete(job.key);
    }
  }

  private alert(status: AlertStatus, job: Judgement, state: KeyState, start: number, loss: Alert['loss']): Alert {
    const rule = this.rule;
    const end = start + rule.windowMs;
    const dedupKey = rule.id + GROUP_SEPARATOR + job.key;
    const group: Record<string, string | number> = {};
    rule.groupBy.forEach((f, i) => {
      group[f] = state.group[i];
    });
    return {
      dedupKey,
      id: alertId(dedupKey, status, end),
      status,
      rule: { id: rule.id, name: rule.name, severity: rule.severity, tags: rule.tags },
      group,
      window: { start, end },
      aggregates: job.facts,
      summary: renderSummary(rule.summary, { ...group, ...job.facts }, rule.windowMs),
      host: job.agg?.host || state.host || this.limits.host,
      netns: [...(job.agg ? job.agg.netns : state.netns)],
      samples: [...(job.agg?.samples ?? [])],
      loss,
      startsAt: state.startsAt,
      ...(status === 'resolved' ? { endsAt: end } : {}),
    };
  }

  stats(): RuleStats {
    let windowGroups = 0;
    for (const w of this.windows.values()) windowGroups += w.groups.size;
    return {
      ruleId: this.rule.id,
      openWindows: this.windows.size,
      windowGroups,
      trackedGroups: this.keys.size,
      firing: this.firing.size,
      ...this.counters,
    };
  }

  /** The latest event time this rule has a window for, so a flush knows how far to advance. */
  get horizon(): number | undefined {
    let max = this.cursor;
    for (const s of this.windows.keys()) if (max === undefined || s > max) max = s;
    return max === undefined ? undefined : max + this.rule.windowMs;
  }

  exportState(): RuleState {
    return {
      fingerprint: this.rule.fingerprint,
      cursor: this.cursor,
      firstStart: this.firstStart,
      windows: [...this.windows].map(([start, w]) => ({
        start,
        evictedEvents: w.evictedEvents,
        groups: [...w.groups].map(([k, agg]): [string, ReturnType<typeof windowAggregateState>] => [k, windowAggregateState(agg)]),
      })),
      keys: [...this.keys].map(([k, s]) => {
        const { touched: _touched, ...rest } = s;
        return [k, { ...rest, history: [...rest.history] }];
      }),
    };
  }

  /** Replaces this rule's state with an exported one (the caller checks the fingerprint). */
  importState(state: RuleState): void {
    this.windows.clear();
    this.keys.clear();
    this.firing.clear();
    this.lastWindow = undefined;
    this.lastStart = NaN;
    this.cursor = state.cursor;
    this.firstStart = state.firstStart;
    for (const w of state.windows) {
      const window = this.openWindow(w.start, w.evictedEvents);
      for (const [k, agg] of w.groups) window.groups.set(k, windowAggregateFromState(agg, this.limits.exactLimit));
    }
    for (const [k, s] of state.keys) {
      this.keys.set(k, { ...s, history: [...s.history], touched: false });
      if (s.firing) this.firing.add(k);
    }
  }
}
