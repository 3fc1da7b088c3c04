import type { TopLevelCondition } from 'json-rules-engine';
import type { Severity } from '../interfaces/alert';
import type { EventKind, TcpEvent } from '../interfaces/tcp-event';
import type { SourceLocation } from './diagnostic';
import type { BatchMatcher } from './match-predicate';

export type EventField = keyof TcpEvent;

/** One rule ready to run: what the engine needs, nothing of the YAML left. */
export interface CompiledRule {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  tags: string[];
  /** Changes whenever anything that affects the rule's results changes (including the lists and shared conditions it uses): hot reload keeps window state only for rules whose fingerprint is unchanged. */
  fingerprint: string;
  /** Where the rule is defined. */
  location: SourceLocation;
  /** The event kinds the rule can match, or undefined when its match does not restrict the kind. */
  kinds: EventKind[] | undefined;
  /** Decides whether one event counts for this rule; compiled to plain JavaScript because it runs once per event. */
  match: (event: TcpEvent) => boolean;
  /** `match` over a batch: the indices of the matching events (the engine's per-event path). */
  matchAll: BatchMatcher;
  /** The address fields `match` tests with inCidr/notInCidr: `matchAll` reads them parsed (AddressColumns). */
  cidrFields: EventField[];
  /** `match` in json-rules-engine form with lists and shared conditions inlined (benchmarks and docs compare against it). */
  matchConditions: TopLevelCondition;
  groupBy: EventField[];
  windowMs: number;
  cooldownMs: number;
  resolveMs: number;
  /** The fields whose distinct values the window must count (used by `when` or the summary). */
  distinctFields: EventField[];
  baseline?: { windows: number; minCount: number };
  /** `when` for json-rules-engine, lists inlined; shared conditions stay references, defined by `sharedConditions`. */
  when: TopLevelCondition;
  sharedConditions: Record<string, TopLevelCondition>;
  summary: string;
}
