/**
 * The JavaScript mirror of `struct tw_record` (bpf/tcpwarden.h): the one place on this side of
 * the kernel boundary that knows the layout. The collector compares it with the offsets the
 * addon reports (compiled from the header) and refuses to run if they differ.
 */
export const RECORD_SIZE = 96;

export const OFFSET = {
  ts_ns: 0,
  skaddr: 8,
  cookie: 16,
  saddr: 24,
  daddr: 40,
  netns: 56,
  pid: 60,
  count: 64,
  sport: 68,
  dport: 70,
  family: 72,
  tracepoint: 74,
  state: 75,
  oldstate: 76,
  reason: 77,
  flags: 78,
  comm: 80,
} as const;

export const COMM_LEN = 16;

/** enum tw_tracepoint: which tracepoint wrote the record; also the index of the per-tracepoint counters. */
export enum Tracepoint {
  RetransmitSynack = 0,
  RetransmitSkb = 1,
  SendReset = 2,
  ReceiveReset = 3,
  DestroySock = 4,
  SetState = 5,
  Probe = 6,
  KfreeSkb = 7,
}

export const TRACEPOINT_NAMES: Record<Tracepoint, string> = {
  [Tracepoint.RetransmitSynack]: 'tcp:tcp_retransmit_synack',
  [Tracepoint.RetransmitSkb]: 'tcp:tcp_retransmit_skb',
  [Tracepoint.SendReset]: 'tcp:tcp_send_reset',
  [Tracepoint.ReceiveReset]: 'tcp:tcp_receive_reset',
  [Tracepoint.DestroySock]: 'tcp:tcp_destroy_sock',
  [Tracepoint.SetState]: 'sock:inet_sock_set_state',
  [Tracepoint.Probe]: 'tcp:tcp_probe',
  [Tracepoint.KfreeSkb]: 'skb:kfree_skb',
};

export const TRACEPOINT_COUNT = 8;

/** TW_F_* record flags. */
export const FLAG = {
  /** No socket: the addresses come from the segment (a no-socket reset or drop). */
  noSocket: 0x01,
  /** The segment that caused a no-socket reset or drop carried SYN / RST / ACK. */
  segSyn: 0x02,
  segRst: 0x04,
  segAck: 0x08,
  /** An aggregate: `count` packets of one key in one time slice (bpf/tcpwarden.h). */
  aggregate: 0x10,
} as const;

/** TW_KEEP_*: the per-packet fields an aggregate's key keeps (the rest are cleared). */
export const KEEP = {
  rport: 0x1,
  sock: 0x2,
  task: 0x4,
} as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
