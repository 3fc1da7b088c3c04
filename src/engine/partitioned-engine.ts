import type { Alert } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';
import { partitionOf } from '../queue/partition-of';
import type { CompiledRule } from '../rules/compiled-rule';
import { Engine } from './engine';
import type { EngineOptions } from './engine-options';
import type { EngineState } from './engine-state';
import type { RuleStats } from './rule-stats';

/** Counters that only grow: a partition's engine takes them along when it leaves. */
type Cumulative = Pick<RuleStats, 'evictedGroups' | 'evictedEvents' | 'lateEvents' | 'evaluations' | 'failedBatches'>;

/**
 * One Engine per queue partition this worker owns. A partition's sliding windows, baselines and alert
 * states are its own engine's, so they move between workers whole (exportState on the old owner,
 * importState on the new) and a partition whose previous owner's batches are still coming back
 * can wait to be judged without holding up the others. An event travels to the partition of
 * each of its group keys, so each engine counts only the groups whose key falls in its partition:
 * the copy of the event in another partition's batch feeds the other groups, and every (rule,
 * group) is counted exactly once whichever worker owns which partitions.
 */
export class PartitionedEngine {
  private readonly engines = new Map<number, Engine>();
  private rulesInForce: CompiledRule[];
  private readonly departed = new Map<string, Cumulative>();

  constructor(
    rules: CompiledRule[],
    private readonly partitions: number,
    private readonly options: Omit<EngineOptions, 'ownsGroup'> = {},
  ) {
    this.rulesInForce = rules;
  }

  get rules(): CompiledRule[] {
    return this.rulesInForce;
  }

  /** Replaces every partition's rules; see Engine.setRules for what keeps its state. */
  setRules(rules: CompiledRule[]): void {
    this.rulesInForce = rules;
    for (const engine of this.engines.values()) engine.setRules(rules);
  }

  owned(): number[] {
    return [...this.engines.keys()].sort((a, b) => a - b);
  }

  /** Starts judging `partition`, from the state its previous owner saved when there is one. */
  add(partition: number, saved?: EngineState): void {
    const p = partition;
    const ownsGroup = this.partitions > 1 ? (_ruleId: string, key: string) => partitionOf(key, this.partitions) === p : undefined;
    const engine = new Engine(this.rulesInForce, { ...this.options, ownsGroup });
    if (saved) engine.importState(saved);
    this.engines.set(p, engine);
  }

  /** Forgets `partition` (its next owner carries on from the saved state). */
  remove(partition: number): void {
    const engine = this.engines.get(partition);
    if (!engine) return;
    this.engines.delete(partition);
    for (const s of engine.stats()) {
      const d = this.departed.get(s.ruleId) ?? { evictedGroups: 0, evictedEvents: 0, lateEvents: 0, evaluations: 0, failedBatches: 0 };
      d.evictedGroups += s.evictedGroups;
      d.evictedEvents += s.evictedEvents;
      d.lateEvents += s.lateEvents;
      d.evaluations += s.evaluations;
      d.failedBatches += s.failedBatches;
      this.departed.set(s.ruleId, d);
    }
  }

  /** Counts a batch of `partition`'s events (see Engine.push); false when this worker does not hold the partition. */
  push(partition: number, events: readonly TcpEvent[], withoutAggregates?: ReadonlySet<string>): boolean {
    const engine = this.engines.get(partition);
    engine?.push(events, withoutAggregates);
    return engine !== undefined;
  }

  /** Judges the slice boundaries up to `nowMs` (and looks up to `lookUntil`, see Engine.advance) in the partitions `judge` accepts, oldest first. */
  async advance(nowMs: number, judge: (partition: number) => boolean = () => true, lookUntil?: number): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const [p, engine] of this.engines) if (judge(p)) out.push(...(await engine.advance(nowMs, lookUntil)));
    return out.sort((a, b) => a.window.end - b.window.end);
  }

  exportState(partition: number): EngineState | undefined {
    return this.engines.get(partition)?.exportState();
  }

  /** Per rule, summed over the partitions held now; the cumulative counters include partitions that left. */
  stats(): RuleStats[] {
    const byRule = new Map<string, RuleStats>();
    for (const rule of this.rulesInForce) {
      const d = this.departed.get(rule.id);
      byRule.set(rule.id, {
        ruleId: rule.id,
        openSlices: 0,
        windowGroups: 0,
        trackedGroups: 0,
        firing: 0,
        evictedGroups: d?.evictedGroups ?? 0,
        evictedEvents: d?.evictedEvents ?? 0,
        lateEvents: d?.lateEvents ?? 0,
        evaluations: d?.evaluations ?? 0,
        failedBatches: d?.failedBatches ?? 0,
      });
    }
    for (const engine of this.engines.values()) {
      for (const s of engine.stats()) {
        const t = byRule.get(s.ruleId);
        if (!t) continue;
        t.openSlices = Math.max(t.openSlices, s.openSlices);
        t.windowGroups += s.windowGroups;
        t.trackedGroups += s.trackedGroups;
        t.firing += s.firing;
        t.evictedGroups += s.evictedGroups;
        t.evictedEvents += s.evictedEvents;
        t.lateEvents += s.lateEvents;
        t.evaluations += s.evaluations;
        t.failedBatches += s.failedBatches;
      }
    }
    return [...byRule.values()];
  }
}
