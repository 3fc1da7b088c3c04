import { toTcpEvent } from '../events/check-event';
import type { TcpEvent } from '../interfaces/tcp-event';

/**
 * An embedder's event source, through the one event check (src/events/check-event.ts): each
 * batch comes out with its valid events only, holding the contract's fields only. `refused` is
 * told how many of a batch's events were left out, and the first one's problem, so the detector
 * counts them as lost; a bad event never throws inside the detector.
 */
export async function* checkedSource(
  source: AsyncIterable<readonly TcpEvent[]>,
  refused: (events: number, problem: string) => void,
): AsyncGenerator<TcpEvent[]> {
  for await (const batch of source) {
    const events: TcpEvent[] = [];
    let bad = 0;
    let first = '';
    for (const input of batch) {
      const checked = toTcpEvent(input);
      if (checked.event) events.push(checked.event);
      else if (bad++ === 0) first = checked.problem;
    }
    if (bad > 0) refused(bad, first);
    yield events;
  }
}
