import type { TcpEvent } from '../interfaces/tcp-event';
import { formatIPv4, formatIPv6, isV4Mapped } from './address-format';
import { AF_INET, COMM_LEN, FLAG, OFFSET, RECORD_SIZE, Tracepoint } from './record-layout';
import { TCP_SYN_SENT, tcpStateName } from './tcp-states';

export interface RecordDecoderOptions {
  /** The collecting host's name, stamped on every event. */
  host: string;
  /**
   * The running kernel's `enum sk_rst_reason` (value -> enumerator name), read from its BTF: the
   * numbering changes between kernels. Empty on kernels before 6.10, which give no reset reason.
   */
  resetReasons: Record<number, string>;
}

const TWO_32 = 4294967296;
const NO_SOCKET_REASON = 'no_socket';

interface Endpoints {
  family: 4 | 6;
  saddr: string;
  daddr: string;
}

/**
 * Turns ring-buffer records into normalized events: this host's side as laddr/lport whatever the
 * tracepoint's source/destination order, state and reset-reason names, socket identity, and the
 * derived `connect_refused` events. Stateless: each record decodes on its own.
 */
export class RecordDecoder {
  private readonly host: string;
  private readonly reasons: Map<number, string>;

  constructor(options: RecordDecoderOptions) {
    this.host = options.host;
    this.reasons = new Map();
    for (const [value, name] of Object.entries(options.resetReasons)) {
      this.reasons.set(Number(value), name.replace(/^SK_RST_REASON_/, '').toLowerCase());
    }
  }

  /** Decodes a batch of records (a multiple of RECORD_SIZE bytes), appending events to `out`. */
  decode(batch: Uint8Array, out: TcpEvent[] = []): TcpEvent[] {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    for (let at = 0; at + RECORD_SIZE <= batch.byteLength; at += RECORD_SIZE) this.decodeOne(batch, view, at, out);
    return out;
  }

  private decodeOne(buf: Uint8Array, view: DataView, at: number, out: TcpEvent[]): void {
    const tp = buf[at + OFFSET.tracepoint] as Tracepoint;
    const flags = buf[at + OFFSET.flags];
    const state = buf[at + OFFSET.state];
    const ep = endpoints(buf, view, at);
    const sport = view.getUint16(at + OFFSET.sport, true);
    const dport = view.getUint16(at + OFFSET.dport, true);
    // Only skb:kfree_skb records carry the segment's own direction (the peer is the source);
    // every other tracepoint stores this host's side as the source, including tcp_send_reset
    // with no socket, which reverses the incoming segment's addresses itself.
    const reversed = tp === Tracepoint.KfreeSkb;
    const base: TcpEvent = {
      kind: 'state_change',
      ts: (view.getUint32(at + OFFSET.ts_ns + 4, true) * TWO_32 + view.getUint32(at + OFFSET.ts_ns, true)) / 1e6,
      family: ep.family,
      laddr: reversed ? ep.daddr : ep.saddr,
      lport: reversed ? dport : sport,
      raddr: reversed ? ep.saddr : ep.daddr,
      rport: reversed ? sport : dport,
      netns: view.getUint32(at + OFFSET.netns, true),
      pid: view.getUint32(at + OFFSET.pid, true),
      comm: comm(buf, at),
      host: this.host,
    };
    const sock = socketId(view, at);
    if (sock !== undefined) base.sock = sock;

    switch (tp) {
      case Tracepoint.RetransmitSynack:
        out.push({ ...base, kind: 'synack_retransmit', state: tcpStateName(state) });
        return;
      case Tracepoint.RetransmitSkb:
        out.push({ ...base, kind: 'retransmit', state: tcpStateName(state) });
        return;
      case Tracepoint.SendReset: {
        const event: TcpEvent = { ...base, kind: 'rst_sent' };
        if (state !== 0) event.state = tcpStateName(state);
        const reason = this.reasons.get(buf[at + OFFSET.reason]);
        if (reason !== undefined) event.reason = reason;
        out.push(event);
        if (flags & FLAG.noSocket && isInboundSyn(flags)) out.push(refused(base, 'inbound'));
        return;
      }
      case Tracepoint.KfreeSkb:
        // Before 6.10 the kernel's reset to a segment with no socket fires no tcp_send_reset:
        // this drop is the only trace of it, so it stands for that reset too (none answers a RST).
        if (!(flags & FLAG.segRst)) out.push({ ...base, kind: 'rst_sent', reason: NO_SOCKET_REASON });
        if (isInboundSyn(flags)) out.push(refused(base, 'inbound'));
        return;
      case Tracepoint.ReceiveReset:
        out.push({ ...base, kind: 'rst_received', state: tcpStateName(state) });
        // A reset answering our SYN: a local connect() refused by the peer.
        if (state === TCP_SYN_SENT) out.push(refused(base, 'outbound'));
        return;
      case Tracepoint.DestroySock:
        out.push({ ...base, kind: 'destroy', state: tcpStateName(state) });
        return;
      case Tracepoint.SetState:
        out.push({
          ...base,
          kind: 'state_change',
          state: tcpStateName(state),
          oldstate: tcpStateName(buf[at + OFFSET.oldstate]),
          newstate: tcpStateName(state),
        });
        return;
      case Tracepoint.Probe:
        out.push({ ...base, kind: 'probe', state: tcpStateName(state) });
        return;
    }
  }
}

/** A SYN without ACK: a connection attempt (a SYN-ACK to a closed port is backscatter, not one). */
function isInboundSyn(flags: number): boolean {
  return (flags & FLAG.segSyn) !== 0 && (flags & FLAG.segAck) === 0 && (flags & FLAG.segRst) === 0;
}

function refused(base: TcpEvent, direction: 'inbound' | 'outbound'): TcpEvent {
  return { ...base, kind: 'connect_refused', direction };
}

function endpoints(buf: Uint8Array, view: DataView, at: number): Endpoints {
  const s = at + OFFSET.saddr;
  const d = at + OFFSET.daddr;
  if (view.getUint16(at + OFFSET.family, true) === AF_INET) {
    return { family: 4, saddr: formatIPv4(buf, s), daddr: formatIPv4(buf, d) };
  }
  if (isV4Mapped(buf, s) && isV4Mapped(buf, d)) {
    return { family: 4, saddr: formatIPv4(buf, s + 12), daddr: formatIPv4(buf, d + 12) };
  }
  return { family: 6, saddr: formatIPv6(buf, s), daddr: formatIPv6(buf, d) };
}

function socketId(view: DataView, at: number): string | undefined {
  const lo = view.getUint32(at + OFFSET.skaddr, true);
  const hi = view.getUint32(at + OFFSET.skaddr + 4, true);
  if (lo === 0 && hi === 0) return undefined;
  return hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function comm(buf: Uint8Array, at: number): string {
  const start = at + OFFSET.comm;
  let end = start;
  while (end < start + COMM_LEN && buf[end] !== 0) end++;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}
