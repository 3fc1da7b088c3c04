import type { Engine } from '../engine/engine';
import type { Alert } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';

/**
 * Drives an engine through recorded events as fast as they can be read, on event time: each
 * batch is pushed, then the engine advances to the batch's latest timestamp (events arriving
 * later for a window already closed count as late). At the end everything is flushed, so open
 * windows are judged and firing alerts resolve.
 */
export async function replayEvents(
  engine: Engine,
  batches: AsyncIterable<TcpEvent[]> | Iterable<TcpEvent[]>,
  onAlerts: (alerts: Alert[]) => void | Promise<void>,
): Promise<void> {
  for await (const batch of batches) {
    engine.push(batch);
    let latest = -Infinity;
    for (const e of batch) if (e.ts > latest) latest = e.ts;
    if (Number.isFinite(latest)) {
      const alerts = await engine.advance(latest);
      if (alerts.length > 0) await onAlerts(alerts);
    }
  }
  const last = await engine.flush();
  if (last.length > 0) await onAlerts(last);
}
