import type { AlertStatus } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';

/** A generated sequence of events: `rate` per second from `fromMs` to `toMs` after the test's start. */
export interface EventSequence {
  fromMs: number;
  toMs: number;
  rate: number;
  /** Event fields; strings may hold `{i}` placeholders (see docs/rules.md, "Rule tests"). */
  event: Record<string, unknown>;
}

/** One alert a test expects, in order; fields left out are not compared. */
export interface ExpectedAlert {
  /** Window end, as an offset from the test's start. */
  atMs?: number;
  rule?: string;
  status?: AlertStatus;
  group?: Record<string, string | number>;
  aggregates?: Record<string, number>;
}

/** One test of a rule test file: events in, the exact list of alerts expected out. */
export interface RuleTestCase {
  name: string;
  file: string;
  line: number;
  startMs: number;
  /** Only alerts of these rules are compared. */
  rules: string[];
  sequences: EventSequence[];
  /** Recorded events (already read from the test's JSONL file). */
  recorded: TcpEvent[];
  expect: ExpectedAlert[];
}
