import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { isAggregate } from '../events/is-aggregate';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';
import { aggregateFieldsOf } from './aggregate-keep';

/**
 * Keeps a rule from counting in-kernel aggregates that lack a field it needs. The collector keys
 * its aggregates on the fields its own rules need; an engine may run newer rules (reloaded before
 * the collector's), and an aggregate without the field would land in the wrong group (every
 * source port 0, no socket). Such aggregates are left out of that rule's counts, counted in
 * tcpwarden_aggregated_events_skipped_total{rule,field}, and the rule is named once in the log.
 */
export class AggregateSkip {
  private readonly warned = new Set<string>();

  constructor(
    private readonly skipped: Counter<'rule' | 'field'>,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** The ids of the rules that must not count `events`' aggregates, which lack the fields `lack`; undefined when none. */
  rulesFor(rules: readonly CompiledRule[], lack: readonly string[], events: readonly TcpEvent[]): ReadonlySet<string> | undefined {
    if (lack.length === 0) return undefined;
    let skip: Set<string> | undefined;
    for (const rule of rules) {
      const fields = aggregateFieldsOf(rule).filter((f) => lack.includes(f));
      if (fields.length === 0) continue;
      // The events the rule cannot judge: those its kinds could match (its match may read the missing field).
      let n = 0;
      for (const e of events) if (isAggregate(e) && (!rule.kinds || rule.kinds.includes(e.kind))) n += e.value!;
      if (n === 0) continue;
      (skip ??= new Set()).add(rule.id);
      const field = fields.join(',');
      this.skipped.inc({ rule: rule.id, field }, n);
      if (this.warned.has(rule.id)) continue;
      this.warned.add(rule.id);
      this.log.warn(
        { rule: rule.id, field },
        `the collector aggregated away field ${field} that rule ${rule.id} needs: its aggregated events are left out of the rule's counts; reload the collector's rules`,
      );
    }
    return skip;
  }
}
