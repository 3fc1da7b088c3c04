import type { RuleHolder } from '../engine/rule-reloader';
import type { CompiledRule } from '../rules/compiled-rule';

/**
 * The rules of a process that collects but does not judge (role collector): it keys its
 * in-kernel aggregates on the fields they need, and with partitions routes events by their
 * groups. A RuleReloader keeps them in step with the files, as it does an engine's.
 */
export class CollectorRules implements RuleHolder {
  constructor(
    private current: CompiledRule[],
    private readonly changed: (rules: CompiledRule[]) => void,
  ) {}

  get rules(): CompiledRule[] {
    return this.current;
  }

  setRules(rules: CompiledRule[]): void {
    this.current = rules;
    this.changed(rules);
  }
}
