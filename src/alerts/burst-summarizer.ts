import type { Alert } from '../interfaces/alert';
import type { BurstConfig } from './sink-config';
import { groupText } from './formats/group-text';

/** Cap on the groups remembered per rule, so a flood of groups cannot grow memory without bound. */
const MAX_REMEMBERED = 100_000;
const MAX_NETNS = 64;

interface Interval {
  started: number;
  /** Groups let through one by one in this interval. */
  passed: number;
  /** Groups held in this interval, for the summary's count. */
  heldKeys: Set<string>;
  /** The largest held groups, the ones the summary names. */
  top: Alert[];
  /** Sums over every held group, not only the named ones. */
  heldEvents: number;
  loss: Alert['loss'];
  timer?: NodeJS.Timeout;
}

interface RuleState {
  interval?: Interval;
  /** Groups whose firing went out on its own and that have not resolved: their repeats and resolution go out too. */
  announced: Set<string>;
  /** Groups only ever summarized: their resolution is dropped, the receiver never saw them fire. */
  suppressed: Set<string>;
}

const countOf = (a: Alert) => a.aggregates.count ?? 0;

function remember(set: Set<string>, key: string): void {
  if (set.size < MAX_REMEMBERED) set.add(key);
}

/**
 * Noise control across groups (the per-group cooldown is the engine's): in each interval, the
 * first `maxGroups` new groups of a rule go out one by one, at once; further groups are held and,
 * at the end of the interval, go out as one alert naming the `topGroups` largest (by count) and
 * counting the rest. A group that went out on its own keeps going out (repeats, resolution); a
 * resolution for a group that was only ever summarized is dropped.
 */
export class BurstSummarizer {
  private readonly intervalMs: number;
  private readonly maxGroups: number;
  private readonly topGroups: number;
  private readonly rules = new Map<string, RuleState>();

  constructor(
    config: BurstConfig,
    /** Receives the summaries, when an interval with held groups ends. */
    private readonly emit: (summary: Alert) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = config.intervalMs ?? 10_000;
    this.maxGroups = config.maxGroups ?? 10;
    this.topGroups = config.topGroups ?? 5;
  }

  /** True when `alert` goes out now; false when it is held for a summary (or is a resolution nobody saw fire). */
  admit(alert: Alert): boolean {
    const ruleId = alert.rule.id;
    const key = alert.dedupKey;
    let state = this.rules.get(ruleId);
    if (!state) {
      state = { announced: new Set(), suppressed: new Set() };
      this.rules.set(ruleId, state);
    }
    if (alert.status === 'resolved') {
      if (state.announced.delete(key)) return true;
      return !state.suppressed.delete(key);
    }
    if (state.announced.has(key)) return true;
    let interval = state.interval;
    if (!interval || this.now() - interval.started >= this.intervalMs) {
      if (interval) this.flush(ruleId);
      interval = { started: this.now(), passed: 0, heldKeys: new Set(), top: [], heldEvents: 0, loss: { events: 0, stages: {} } };
      state.interval = interval;
    }
    if (interval.passed < this.maxGroups) {
      interval.passed++;
      state.suppressed.delete(key);
      remember(state.announced, key);
      return true;
    }
    if (interval.heldKeys.has(key)) return false;
    interval.heldKeys.add(key);
    interval.heldEvents += countOf(alert);
    interval.loss.events += alert.loss.events;
    for (const [k, v] of Object.entries(alert.loss.stages)) interval.loss.stages[k] = (interval.loss.stages[k] ?? 0) + v;
    interval.top.push(alert);
    interval.top.sort((a, b) => countOf(b) - countOf(a));
    if (interval.top.length > this.topGroups) interval.top.pop();
    remember(state.suppressed, key);
    interval.timer ??= setTimeout(() => this.flush(ruleId), Math.max(0, interval.started + this.intervalMs - this.now()));
    return false;
  }

  /** Sends every pending summary now (on shutdown). */
  flushAll(): void {
    for (const ruleId of this.rules.keys()) this.flush(ruleId);
  }

  private flush(ruleId: string): void {
    const state = this.rules.get(ruleId);
    const interval = state?.interval;
    if (!state || !interval) return;
    state.interval = undefined;
    if (interval.timer) clearTimeout(interval.timer);
    if (interval.heldKeys.size > 0) this.emit(this.summary(interval));
  }

  private summary(interval: Interval): Alert {
    const top = interval.top;
    const first = top[0];
    const groups = interval.heldKeys.size;
    const rest = groups - top.length;
    const named = top.map((a) => `${groupText(a.group)} (${countOf(a)})`).join(', ');
    return {
      // One summary per rule and interval: its id says which.
      id: `${first.rule.id}|burst|${interval.started}`,
      dedupKey: `${first.rule.id}|burst`,
      status: 'firing',
      rule: first.rule,
      group: {},
      window: { start: Math.min(...top.map((a) => a.window.start)), end: Math.max(...top.map((a) => a.window.end)) },
      aggregates: { groups, count: interval.heldEvents },
      summary:
        `${first.rule.name}: ${groups} more groups within ${this.intervalMs / 1000} s; ` +
        `top: ${named}${rest > 0 ? `; and ${rest} others` : ''}`,
      host: first.host,
      netns: [...new Set(top.flatMap((a) => a.netns))].slice(0, MAX_NETNS),
      samples: top.flatMap((a) => a.samples.slice(0, 1)),
      loss: interval.loss,
      startsAt: Math.min(...top.map((a) => a.startsAt)),
    };
  }
}

/** Whether `alert` is a burst summary (whose group never resolves), told by the id and dedup key summary() gives it. */
export function isBurstSummary(alert: Alert): boolean {
  return alert.dedupKey === `${alert.rule.id}|burst` && alert.id.startsWith(`${alert.rule.id}|burst|`);
}
