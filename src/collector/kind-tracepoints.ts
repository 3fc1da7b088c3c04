import { EVENT_KINDS, type EventKind } from '../interfaces/tcp-event';
import { Tracepoint, TRACEPOINT_NAMES } from './record-layout';

/**
 * The tracepoints each kind comes from (docs/events.md, "Kinds"). Counter samples come from no
 * tracepoint; `connect_refused` is derived from the resets either way.
 */
const TRACEPOINTS_OF: Record<EventKind, readonly Tracepoint[]> = {
  synack_retransmit: [Tracepoint.RetransmitSynack],
  retransmit: [Tracepoint.RetransmitSkb],
  // kfree_skb is loaded only before 6.10, where it is the one sign of a reset with no socket.
  rst_sent: [Tracepoint.SendReset, Tracepoint.KfreeSkb],
  rst_received: [Tracepoint.ReceiveReset],
  state_change: [Tracepoint.SetState],
  destroy: [Tracepoint.DestroySock],
  probe: [Tracepoint.Probe],
  connect_refused: [Tracepoint.SendReset, Tracepoint.KfreeSkb, Tracepoint.ReceiveReset],
  syncookies_sent: [],
  syn_dropped: [],
};

/** The native collector's attach mask (a bit per Tracepoint) for `kinds`; every kind when undefined. */
export function attachBitsOf(kinds: readonly EventKind[] | undefined): number {
  let bits = 0;
  for (const kind of kinds ?? EVENT_KINDS) for (const tp of TRACEPOINTS_OF[kind]) bits |= 1 << tp;
  return bits;
}

/**
 * The kinds none of whose tracepoints is among `attached` (names as the native collector gives
 * them): a collector sends none of their events. Counter samples come from no tracepoint and are
 * always sampled.
 */
export function untracedKindsOf(attached: readonly string[]): EventKind[] {
  return EVENT_KINDS.filter((kind) => TRACEPOINTS_OF[kind].length > 0 && !TRACEPOINTS_OF[kind].some((tp) => attached.includes(TRACEPOINT_NAMES[tp])));
}
