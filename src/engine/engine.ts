import type { Alert } from '../interfaces/alert';
import { isAggregate } from '../events/is-aggregate';
import { EVENT_KINDS, type TcpEvent } from '../interfaces/tcp-event';
import { fillAddressColumns, type AddressColumns } from '../rules/address-columns';
import type { CompiledRule } from '../rules/compiled-rule';
import { DEFAULT_DISTINCT_EXACT_LIMIT, DEFAULT_MAX_KEYS_PER_RULE, type EngineOptions } from './engine-options';
import type { EngineState } from './engine-state';
import { GroupKeyCache } from './group-key-cache';
import { RuleRuntime } from './rule-runtime';
import type { RuleStats } from './rule-stats';

const KIND_INDEX = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));

/**
 * The sliding-window rules engine. Time is event time: `push` counts events into the slices their
 * `ts` falls in, `advance(now)` judges every slice boundary up to `now`, each group as of that
 * instant over the window that ends there, and fires at the first boundary where a rule's
 * condition holds. A replay pushes recorded batches and advances to their timestamps, as fast as
 * it can read; a live runner advances with the wall clock.
 */
export class Engine {
  private runtimes: RuleRuntime[] = [];
  /** A pushed batch split by event kind, a list per kind (the last holds kinds this version does not know). */
  private readonly byKind: TcpEvent[][] = [...EVENT_KINDS, 'other'].map(() => []);
  /** Per kind's list, the address fields its rules test with CIDRs, and those parsed for the batch being pushed. */
  private cidrFields: Array<Array<keyof TcpEvent>> = [];
  private readonly addresses: AddressColumns[] = this.byKind.map(() => ({}));
  /** Events of the batch being pushed in each kind's list so far. */
  private readonly fill = new Uint32Array(this.byKind.length);
  private maxTs = -Infinity;
  private keys = new GroupKeyCache();
  /** Indices of the events a rule matched in the kind's list being read. */
  private scratch = new Uint32Array(0);
  private readonly limits;

  constructor(rules: CompiledRule[], options: EngineOptions = {}) {
    this.limits = {
      maxKeys: options.maxKeysPerRule ?? DEFAULT_MAX_KEYS_PER_RULE,
      exactLimit: options.distinctExactLimit ?? DEFAULT_DISTINCT_EXACT_LIMIT,
      ownsGroup: options.ownsGroup,
      host: options.host ?? '',
    };
    this.setRules(rules);
  }

  /** The rules running now. */
  get rules(): CompiledRule[] {
    return this.runtimes.map((r) => r.rule);
  }

  /**
   * Replaces the rules. A rule whose fingerprint is unchanged keeps its windows, baselines and
   * alert state (hot reload); a new or changed rule starts empty; a removed rule's state is dropped.
   */
  setRules(rules: CompiledRule[]): void {
    const old = new Map(this.runtimes.map((r) => [r.rule.id, r]));
    this.runtimes = rules.map((rule) => {
      const kept = old.get(rule.id);
      if (kept && kept.rule.fingerprint === rule.fingerprint) {
        kept.rule = rule;
        return kept;
      }
      return new RuleRuntime(rule, this.limits);
    });
    this.keys = new GroupKeyCache();
    for (const r of this.runtimes) {
      r.keySlot = this.keys.slotFor(r.rule.groupBy);
      // A rule reads only the lists of the kinds its match can accept.
      r.kindLists = r.rule.kinds ? r.rule.kinds.map((k) => KIND_INDEX.get(k) as number) : this.byKind.map((_, i) => i);
    }
    this.cidrFields = this.byKind.map((_, p) => [...new Set(this.runtimes.flatMap((r) => (r.kindLists.includes(p) ? r.rule.cidrFields : [])))]);
  }

  /**
   * Counts events into their groups' slices. Cheap: no rule condition is evaluated here beyond `match`.
   * The batch is split by kind, then each rule reads the kinds' lists it can match. The rules
   * named in `withoutAggregates` do not count the batch's in-kernel aggregates (they lack a
   * field the rule needs, see EventBatch.aggregatesLack).
   */
  push(events: Iterable<TcpEvent>, withoutAggregates?: ReadonlySet<string>): void {
    const byKind = this.byKind;
    const other = byKind.length - 1;
    let min = Infinity;
    try {
      const fill = this.fill;
      for (const e of events) {
        if (e.ts > this.maxTs) this.maxTs = e.ts;
        if (e.ts < min) min = e.ts;
        const p = KIND_INDEX.get(e.kind) ?? other;
        byKind[p][fill[p]++] = e;
      }
      for (let p = 0; p < byKind.length; p++) byKind[p].length = fill[p];
      if (min === Infinity) return;
      let largest = 0;
      for (const p of byKind) largest = Math.max(largest, p.length);
      if (this.scratch.length < largest) this.scratch = new Uint32Array(largest);
      for (let p = 0; p < byKind.length; p++) if (byKind[p].length > 0) fillAddressColumns(byKind[p], this.cidrFields[p], this.addresses[p]);
      for (const r of this.runtimes) {
        // One rule failing must not fail the batch: the rules before it have counted it, and a
        // retried batch would count it again in each of them. The failure is counted instead.
        try {
          r.begin(min);
          const skip = withoutAggregates?.has(r.rule.id) === true;
          for (const p of r.kindLists) {
            if (byKind[p].length === 0) continue;
            if (!skip) r.addAll(byKind[p], this.addresses[p], this.keys, this.scratch);
            else {
              const counted = byKind[p].filter((e) => !isAggregate(e));
              r.addAll(counted, fillAddressColumns(counted, this.cidrFields[p], {}), this.keys, this.scratch);
            }
          }
        } catch {
          r.failedBatch();
        }
      }
    } finally {
      // Even if a caller's iterable throws midway, the next batch must not see this one's events.
      // They are overwritten rather than cut off: `length = 0` dropped the arrays' storage, and
      // growing them again for every batch was a tenth of the engine's garbage in its benchmark.
      this.fill.fill(0);
      for (const p of byKind) p.fill(undefined as unknown as TcpEvent);
    }
  }

  /**
   * Judges every slice boundary up to `nowMs` (event time) and returns the alerts, oldest judgement
   * first. Live, `lookUntil` (the newest instant events may have come in for) also lets a group
   * fire inside the open slice, as soon as its condition holds (RuleRuntime.look).
   */
  async advance(nowMs: number, lookUntil?: number): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const r of this.runtimes) {
      // Awaited only when the rule had to ask json-rules-engine (see RuleRuntime.advance).
      const asking = r.advance(nowMs, out, lookUntil);
      if (asking) await asking;
    }
    return out.sort((a, b) => a.window.end - b.window.end);
  }

  /**
   * Judges everything: advances past the last event far enough for every event to leave its
   * windows and every firing alert to resolve (the end of a replay).
   */
  async flush(): Promise<Alert[]> {
    let until = this.maxTs;
    for (const r of this.runtimes) {
      const horizon = r.horizon;
      if (horizon !== undefined) until = Math.max(until, horizon + r.rule.resolveMs + 2 * r.rule.windowMs);
    }
    return Number.isFinite(until) ? this.advance(until) : [];
  }

  stats(): RuleStats[] {
    return this.runtimes.map((r) => r.stats());
  }

  exportState(): EngineState {
    const rules: EngineState['rules'] = {};
    for (const r of this.runtimes) rules[r.rule.id] = r.exportState();
    return { version: 2, rules };
  }

  /** Takes the state of the rules whose id and fingerprint match; returns the ids of the rules that took it. */
  importState(state: EngineState): string[] {
    if (state.version !== 2) return [];
    const taken: string[] = [];
    for (const r of this.runtimes) {
      // A rule id may be `constructor`: only the state's own entries count.
      const s = Object.hasOwn(state.rules, r.rule.id) ? state.rules[r.rule.id] : undefined;
      if (s && s.fingerprint === r.rule.fingerprint) {
        r.importState(s);
        taken.push(r.rule.id);
      }
    }
    return taken;
  }
}
