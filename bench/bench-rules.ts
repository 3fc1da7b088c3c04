/** The rule set the rules-engine benchmark runs: the default rules plus 20 extra ones. */
import { join } from 'node:path';
import type { EventKind } from '../src/interfaces/tcp-event';
import type { CompiledRule } from '../src/rules/compiled-rule';
import { loadRules, loadRuleTexts } from '../src/rules/loader';

/** Event time of the benchmark's first event: a round time, so windows start there. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** 20 rules like the defaults: other kinds, groupings, exceptions and thresholds. */
function extraRules(): string {
  const kinds: EventKind[] = ['rst_sent', 'rst_received', 'retransmit', 'connect_refused', 'state_change', 'destroy', 'synack_retransmit'];
  const groups = ['[raddr]', '[laddr, lport]', '[netns, raddr, lport]', '[host]'];
  const rules: string[] = [];
  for (let i = 0; i < 20; i++) {
    rules.push(`
  - id: extra-${i}
    name: Extra rule ${i}
    severity: low
    match:
      all:
        - { fact: kind, operator: equal, value: ${kinds[i % kinds.length]} }
        - { fact: raddr, operator: notInCidr, value: [192.168.${i}.0/24, "fd00::/8"] }
        - { fact: lport, operator: notIn, value: [${22 + i}, ${2000 + i}] }
    group_by: ${groups[i % groups.length]}
    window: ${[10, 30, 60][i % 3]}s
    when:
      any:
        - { fact: count, operator: greaterThanInclusive, value: ${5_000 + 100 * i} }
        - { fact: distinct.rport, operator: greaterThan, value: ${50_000 + i} }
    summary: "extra ${i}: {{count}}"`);
  }
  return `rules:${rules.join('\n')}\n`;
}

export async function allRules(): Promise<CompiledRule[]> {
  const defaults = await loadRules([join(__dirname, '../../rules')]);
  const extra = loadRuleTexts([{ file: 'extra.yaml', text: extraRules() }]);
  if (!defaults.ok || !extra.ok) throw new Error('benchmark rules do not load');
  return [...defaults.rules, ...extra.rules];
}

