import type { EventKind } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';

/**
 * The kinds the collector traces for `rules`: those some rule can match, with those the options
 * add; every kind (undefined) when a rule's match does not restrict the kind. A tracepoint whose
 * kinds no rule reads is left detached: on a server making 30,000 connections a second,
 * sock:inet_sock_set_state alone fires 300,000 times a second.
 */
export function collectorKindsOf(rules: readonly CompiledRule[], extra: readonly EventKind[] = []): EventKind[] | undefined {
  const kinds = new Set(extra);
  for (const rule of rules) {
    if (!rule.kinds) return undefined;
    for (const k of rule.kinds) kinds.add(k);
  }
  return [...kinds];
}
