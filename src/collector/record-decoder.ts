import type { EventKind, TcpEvent } from '../interfaces/tcp-event';
import type { EventNames } from '../victim/namespace-names';
import { formatIPv4, formatIPv6, isV4Mapped } from './address-format';
import { CommCache } from './comm-cache';
import { AF_INET, FLAG, OFFSET, RECORD_SIZE, Tracepoint } from './record-layout';
import { TCP_SYN_SENT, tcpStateName } from './tcp-states';

export interface RecordDecoderOptions {
  /** The collecting host's name, stamped on every event. */
  host: string;
  /**
   * The running kernel's `enum sk_rst_reason` (value -> enumerator name), read from its BTF: the
   * numbering changes between kernels. Empty on kernels before 6.10, which give no reset reason.
   */
  resetReasons: Record<number, string>;
  /** The names of a network namespace by inode (a cache lookup: NetnsDirectory), put on its events. */
  names?: (netns: number) => EventNames | undefined;
}

const NO_NAMES: EventNames = {};

const TWO_32 = 4294967296;
const NO_SOCKET_REASON = 'no_socket';

/**
 * Turns ring-buffer records into normalized events: this host's side as laddr/lport whatever the
 * tracepoint's source/destination order, state and reset-reason names, socket identity, and the
 * derived `connect_refused` events, and the victim names of each event's namespace (a cache
 * lookup, once per run of one namespace in a batch). Each record decodes on its own.
 */
export class RecordDecoder {
  private readonly host: string;
  private readonly reasons: Map<number, string>;
  private readonly comms = new CommCache();
  private readonly names?: (netns: number) => EventNames | undefined;
  /** The last namespace looked up: a batch is mostly one or a few namespaces in runs. */
  private lastNetns = -1;
  private lastNames: EventNames = NO_NAMES;

  constructor(options: RecordDecoderOptions) {
    this.host = options.host;
    this.names = options.names;
    this.reasons = new Map();
    for (const [value, name] of Object.entries(options.resetReasons)) {
      this.reasons.set(Number(value), name.replace(/^SK_RST_REASON_/, '').toLowerCase());
    }
  }

  /** Decodes a batch of records (a multiple of RECORD_SIZE bytes), appending events to `out`. */
  decode(batch: Uint8Array, out: TcpEvent[] = []): TcpEvent[] {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    this.lastNetns = -1; // names learned since the last batch apply from this one on
    for (let at = 0; at + RECORD_SIZE <= batch.byteLength; at += RECORD_SIZE) this.decodeOne(batch, view, at, out);
    return out;
  }

  private decodeOne(buf: Uint8Array, view: DataView, at: number, out: TcpEvent[]): void {
    const tp = buf[at + OFFSET.tracepoint] as Tracepoint;
    const flags = buf[at + OFFSET.flags];
    const stateNum = buf[at + OFFSET.state];
    let family: 4 | 6 = 4;
    let saddr: string;
    let daddr: string;
    const s = at + OFFSET.saddr;
    const d = at + OFFSET.daddr;
    if (view.getUint16(at + OFFSET.family, true) === AF_INET) {
      saddr = formatIPv4(buf, s);
      daddr = formatIPv4(buf, d);
    } else if (isV4Mapped(buf, s) && isV4Mapped(buf, d)) {
      saddr = formatIPv4(buf, s + 12);
      daddr = formatIPv4(buf, d + 12);
    } else {
      family = 6;
      saddr = formatIPv6(buf, s);
      daddr = formatIPv6(buf, d);
    }
    const sport = view.getUint16(at + OFFSET.sport, true);
    const dport = view.getUint16(at + OFFSET.dport, true);
    // Only skb:kfree_skb records carry the segment's own direction (the peer is the source);
    // every other tracepoint stores this host's side as the source, including tcp_send_reset
    // with no socket, which reverses the incoming segment's addresses itself.
    const reversed = tp === Tracepoint.KfreeSkb;
    const ts = (view.getUint32(at + OFFSET.ts_ns + 4, true) * TWO_32 + view.getUint32(at + OFFSET.ts_ns, true)) / 1e6;
    const netns = view.getUint32(at + OFFSET.netns, true);
    // An aggregate stands for `count` packets; its key left out the task unless a rule needs it.
    const value = flags & FLAG.aggregate ? view.getUint32(at + OFFSET.count, true) : undefined;
    const rawPid = view.getUint32(at + OFFSET.pid, true);
    const pid = value !== undefined && rawPid === 0 ? undefined : rawPid;
    const comm = pid === undefined ? undefined : this.comms.get(buf, view, at, rawPid);
    const sock = socketId(view, at);
    if (netns !== this.lastNetns && this.names) {
      this.lastNetns = netns;
      this.lastNames = this.names(netns) ?? NO_NAMES;
    }
    const n = this.lastNames;
    const laddr = reversed ? daddr : saddr;
    const lport = reversed ? dport : sport;
    const raddr = reversed ? saddr : daddr;
    const rport = reversed ? sport : dport;

    let kind: EventKind;
    let state: string | undefined = tcpStateName(stateNum);
    let oldstate: string | undefined;
    let newstate: string | undefined;
    let reason: string | undefined;
    let refused: 'inbound' | 'outbound' | undefined;
    switch (tp) {
      case Tracepoint.RetransmitSynack:
        kind = 'synack_retransmit';
        break;
      case Tracepoint.RetransmitSkb:
        kind = 'retransmit';
        break;
      case Tracepoint.SendReset:
        kind = 'rst_sent';
        if (stateNum === 0) state = undefined;
        reason = this.reasons.get(buf[at + OFFSET.reason]);
        if (flags & FLAG.noSocket && isInboundSyn(flags)) refused = 'inbound';
        break;
      case Tracepoint.KfreeSkb:
        // Before 6.10 the kernel's reset to a segment with no socket fires no tcp_send_reset:
        // this drop is the only trace of it, so it stands for that reset too (none answers a RST).
        if (flags & FLAG.segRst) return;
        kind = 'rst_sent';
        state = undefined;
        reason = NO_SOCKET_REASON;
        if (isInboundSyn(flags)) refused = 'inbound';
        break;
      case Tracepoint.ReceiveReset:
        kind = 'rst_received';
        // A reset answering our SYN: a local connect() refused by the peer.
        if (stateNum === TCP_SYN_SENT) refused = 'outbound';
        break;
      case Tracepoint.DestroySock:
        kind = 'destroy';
        break;
      case Tracepoint.SetState:
        kind = 'state_change';
        oldstate = tcpStateName(buf[at + OFFSET.oldstate]);
        newstate = state;
        break;
      case Tracepoint.Probe:
        kind = 'probe';
        break;
      default:
        return;
    }
    out.push(event(kind, ts, family, laddr, lport, raddr, rport, state, oldstate, newstate, reason, undefined, netns, sock, pid, comm, this.host, value, n));
    if (refused) {
      out.push(event('connect_refused', ts, family, laddr, lport, raddr, rport, undefined, undefined, undefined, undefined, refused, netns, sock, pid, comm, this.host, value, n));
    }
  }
}

/**
 * Every event is built by this one literal so all share one hidden class: decoding runs at
 * hundreds of thousands of records a second. Absent fields are undefined (and absent in JSON).
 */
function event(
  kind: EventKind,
  ts: number,
  family: 4 | 6,
  laddr: string,
  lport: number,
  raddr: string,
  rport: number,
  state: string | undefined,
  oldstate: string | undefined,
  newstate: string | undefined,
  reason: string | undefined,
  direction: 'inbound' | 'outbound' | undefined,
  netns: number,
  sock: string | undefined,
  pid: number | undefined,
  comm: string | undefined,
  host: string,
  value: number | undefined,
  n: EventNames,
): TcpEvent {
  return {
    kind, ts, family, laddr, lport, raddr, rport, state, oldstate, newstate, reason, direction, netns, sock, pid, comm, host, value,
    netns_name: n.netns_name, container: n.container, pod: n.pod, service: n.service,
  };
}

/** A SYN without ACK: a connection attempt (a SYN-ACK to a closed port is backscatter, not one). */
function isInboundSyn(flags: number): boolean {
  return (flags & FLAG.segSyn) !== 0 && (flags & FLAG.segAck) === 0 && (flags & FLAG.segRst) === 0;
}

function socketId(view: DataView, at: number): string | undefined {
  const lo = view.getUint32(at + OFFSET.skaddr, true);
  const hi = view.getUint32(at + OFFSET.skaddr + 4, true);
  if (lo === 0 && hi === 0) return undefined;
  return hi.toString(16) + lo.toString(16).padStart(8, '0');
}
