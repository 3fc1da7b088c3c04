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
  /**
   * The sliding window judged for this notification, epoch milliseconds: `end` is the judgement
   * instant (a slice boundary in event time), `start` one window length before.
   */
  window: { start: number; end: number };
  /** The aggregates the condition saw: `count`, `rate`, `distinct.<field>`, `spike`, ... */
  aggregates: Record<string, number>;
  summary: string;
  host: string;
  /** The network namespaces the window's events came from: on a container host, which container. */
  netns: number[];
  /** A few recent events of the group inside the window, for the receiver's context. */
  samples: TcpEvent[];
  /** Events lost upstream (collector, queue, state limits) during this window: the alert may undercount. */
  loss: { events: number; stages: Record<string, number> };
  /**
   * Events of the rule's kinds in this window that reached the rules inside in-kernel aggregates
   * (docs/alerts.md, "Aggregated events"): counted exactly, but each aggregate's time is its first
   * packet's, up to 100 ms early. Set by the detector; absent when none.
   */
  aggregated?: number;
  /**
   * When the episode started (epoch ms, event time): the judgement instant at which the condition
   * first held; the same on the episode's repeats and resolution.
   */
  startsAt: number;
  /** For `resolved`: the judgement instant that resolved the episode. */
  endsAt?: number;
  /**
   * Who is attacked: the namespace's name, its container, pod or service, and the process owning
   * the local port (docs/alerts.md, "The victim"). Set by the detector just before the sinks take
   * the alert; absent on alerts that name no namespace (event-loss) and straight from the engine.
   */
  victim?: Victim;
}
