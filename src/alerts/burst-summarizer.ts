import type { Alert } from '../interfaces/alert';
import type { BurstConfig } from './sink-config';
import { groupText } from './formats/group-text';

/** Cap on remembered suppressed groups per rule, so a flood of groups cannot grow memory without bound. */
const MAX_SUPPRESSED = 100_000;
const MAX_NETNS = 64;

interface RuleBurst {
  started: number;
  /** Groups delivered one by one in this interval. */
  passed: Set<string>;
  held: Alert[];
  heldCount: number;
  /** Sums over every held group, not only the named ones. */
  heldEvents: number;
  loss: Alert['loss'];
  timer?: NodeJS.Timeout;
}

const countOf = (a: Alert) => a.aggregates.count ?? 0;

/**
 * Noise control across groups (the per-group cooldown is the engine's): in each interval, the
 * first `maxGroups` distinct groups of a rule go out one by one, at once; further groups are held
 * and, at the end of the interval, go out as one alert naming the `topGroups` largest (by count)
 * and counting the rest. A resolution for a group that was only ever summarized is dropped: the
 * receiver never saw it fire.
 */
export class BurstSummarizer {
  private readonly intervalMs: number;
  private readonly maxGroups: number;
  private readonly topGroups: number;
  private readonly rules = new Map<string, RuleBurst>();
  private readonly suppressed = new Map<string, Set<string>>();

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
    const suppressed = this.suppressed.get(ruleId);
    if (alert.status === 'resolved') return !suppressed?.delete(alert.dedupKey);
    let burst = this.rules.get(ruleId);
    if (!burst || this.now() - burst.started >= this.intervalMs) {
      if (burst) this.flush(ruleId);
      burst = { started: this.now(), passed: new Set(), held: [], heldCount: 0, heldEvents: 0, loss: { events: 0, stages: {} } };
      this.rules.set(ruleId, burst);
    }
    if (burst.passed.has(alert.dedupKey) || burst.passed.size < this.maxGroups) {
      burst.passed.add(alert.dedupKey);
      return true;
    }
    burst.heldCount++;
    burst.heldEvents += countOf(alert);
    burst.loss.events += alert.loss.events;
    for (const [k, v] of Object.entries(alert.loss.stages)) burst.loss.stages[k] = (burst.loss.stages[k] ?? 0) + v;
    burst.held.push(alert);
    // Keep only the largest groups: they are the ones the summary names.
    burst.held.sort((a, b) => countOf(b) - countOf(a));
    if (burst.held.length > this.topGroups) burst.held.pop();
    const set = suppressed ?? new Set<string>();
    if (set.size < MAX_SUPPRESSED) set.add(alert.dedupKey);
    this.suppressed.set(ruleId, set);
    burst.timer ??= setTimeout(() => this.flush(ruleId), Math.max(0, burst.started + this.intervalMs - this.now()));
    return false;
  }

  /** Sends every pending summary now (on shutdown). */
  flushAll(): void {
    for (const ruleId of [...this.rules.keys()]) this.flush(ruleId);
  }

  private flush(ruleId: string): void {
    const burst = this.rules.get(ruleId);
    if (!burst) return;
    this.rules.delete(ruleId);
    if (burst.timer) clearTimeout(burst.timer);
    if (burst.heldCount > 0) this.emit(this.summary(burst));
  }

  private summary(burst: RuleBurst): Alert {
    const top = burst.held;
    const first = top[0];
    const rest = burst.heldCount - top.length;
    const named = top.map((a) => `${groupText(a.group)} (${countOf(a)})`).join(', ');
    return {
      // Deterministic, so a summary handed over twice is still delivered once.
      id: `${first.rule.id}|burst|${burst.started}`,
      dedupKey: `${first.rule.id}|burst`,
      status: 'firing',
      rule: first.rule,
      group: {},
      window: { start: Math.min(...top.map((a) => a.window.start)), end: Math.max(...top.map((a) => a.window.end)) },
      aggregates: { groups: burst.heldCount, count: burst.heldEvents },
      summary:
        `${first.rule.name}: ${burst.heldCount} more groups within ${this.intervalMs / 1000} s; ` +
        `top: ${named}${rest > 0 ? `; and ${rest} others` : ''}`,
      host: first.host,
      netns: [...new Set(top.flatMap((a) => a.netns))].slice(0, MAX_NETNS),
      samples: top.flatMap((a) => a.samples.slice(0, 1)),
      loss: burst.loss,
      startsAt: Math.min(...top.map((a) => a.startsAt)),
    };
  }
}
