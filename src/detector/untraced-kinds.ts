import type { Logger } from 'pino';
import type { CompiledRule } from '../rules/compiled-rule';

/**
 * How long after this engine's rules change a batch's untraced kinds are not held against them:
 * the collector (this process's, or another host's following the same files) attaches the
 * tracepoints of a new rule's kinds at its own reload, and batches sealed before say the old ones.
 */
const SETTLE_MS = 3000;

/**
 * Warns, once per rule, about a rule that reads kinds a collector does not trace (EventBatch.untraced):
 * with partitions or roles, an engine may run a rule its collectors' rules lack, and would
 * otherwise never see that kind's events, silently.
 */
export class UntracedKinds {
  private readonly warned = new Set<string>();
  private rules: readonly CompiledRule[] = [];
  private rulesChangedAt = 0;

  constructor(private readonly log: Logger) {}

  check(rules: readonly CompiledRule[], untraced: readonly string[], createdAt: number): void {
    if (rules !== this.rules) {
      this.rules = rules;
      this.rulesChangedAt = Date.now();
    }
    if (untraced.length === 0 || createdAt < this.rulesChangedAt + SETTLE_MS) return;
    for (const rule of rules) {
      if (this.warned.has(rule.id)) continue;
      // A rule open to every kind does not ask for tcp_probe's, which is off unless turned on.
      const kinds = rule.kinds ? untraced.filter((k) => (rule.kinds as readonly string[]).includes(k)) : untraced.filter((k) => k !== 'probe');
      if (kinds.length === 0) continue;
      this.warned.add(rule.id);
      this.log.warn(
        { rule: rule.id, kinds },
        `rule ${rule.id} reads ${kinds.join(', ')}, which a collector does not trace: none of its rules reads that kind (give the collectors the engines' rules and reload them), its kernel lacks the tracepoint, or, for probe, --probe is off there`,
      );
    }
  }
}
