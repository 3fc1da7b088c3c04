import type { TcpEvent } from './tcp-event';
import type { Victim } from './victim';

/** Rule severities, lowest first: sinks filter on a minimum severity by this order. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AlertStatus = 'firing' | 'resolved';

/**
 * An alert as the engine emits it and the sinks deliver it: the contract with the receiving side
 * (see docs/alerts.md for the wire formats built from it).
 */
export interface Alert {
  /** Stable per (rule, group): `<rule id>|<group values joined>`; receivers deduplicate on it. */
  dedupKey: string;
  /** Unique per notification (a firing, a repeat, a resolution); stays the same across delivery retries. */
  id: string;
  status: AlertStatus;
  rule: { id: string; name: string; severity: Severity; tags: string[] };
  /** The values of the rule's `group_by` fields for this group. */
  group: Record<string, string | number>;
  /** The window whose aggregates fired (or, when resolved, last evaluated) the rule; epoch milliseconds. */
  window: { start: number; end: number };
  /** The aggregates the condition saw: `count`, `rate`, `distinct.<field>`, `spike`, ... */
  aggregates: Record<string, number>;
  summary: string;
  host: string;
  /** The network namespaces the window's events came from: on a container host, which container. */
  netns: number[];
  /** A few of the window's events, for the receiver's context. */
  samples: TcpEvent[];
  /** Events lost upstream (collector, queue, state limits) during this window: the alert may undercount. */
  loss: { events: number; stages: Record<string, number> };
  /** When the alert first fired for this episode (epoch ms); for `resolved`, also `endsAt`. */
  startsAt: number;
  endsAt?: number;
  /**
   * Who is attacked: the namespace's name, its container, pod or service, and the process owning
   * the local port (docs/alerts.md, "The victim"). Set by the detector just before the sinks take
   * the alert; absent on alerts that name no namespace (event-loss) and straight from the engine.
   */
  victim?: Victim;
}
