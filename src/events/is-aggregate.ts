import { COUNTER_KINDS, type EventKind, type TcpEvent } from '../interfaces/tcp-event';

/** Counter samples (SYN cookies, SYN drops) carry `value` too, but are no aggregates. */
const COUNTER_SAMPLES: ReadonlySet<EventKind> = new Set(COUNTER_KINDS);

/** Whether the event is an in-kernel aggregate: one event standing for `value` packets of one key. */
export function isAggregate(event: TcpEvent): boolean {
  return event.value !== undefined && !COUNTER_SAMPLES.has(event.kind);
}
