/**
 * The normalized TCP event: the one contract between the collector, the queue and the engine.
 * Every source (the eBPF collector, a recorded JSONL replay, a synthetic load) produces exactly
 * this flat shape; see docs/events.md for the meaning of each field per kind.
 */

export const EVENT_KINDS = [
  'synack_retransmit',
  'retransmit',
  'rst_sent',
  'rst_received',
  'state_change',
  'destroy',
  'probe',
  'connect_refused',
  // A sample of the kernel's SNMP counter TcpExtSyncookiesSent (/proc/net/netstat, per network
  // namespace) that rose since the previous sample; `value` carries the increase. SYN cookies cap
  // SYN-ACK retransmits during a flood, so this is the SYN flood signal that does not plateau.
  'syncookies_sent',
  // The same for TcpExtListenDrops ("SYNs to LISTEN sockets dropped" in netstat -s): a full queue
  // with SYN cookies off drops SYNs without any tracepoint the collector attaches.
  'syn_dropped',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * The kinds sampled from namespace-wide kernel counters rather than traced per connection: `value`
 * is the counter's increase, `raddr` is empty and `rport` 0, and `laddr`/`lport` name the listener
 * the kernel showed a sign of (its half-open requests, its accept queue), or are empty and 0 when
 * it showed none (docs/events.md, "Counter samples").
 */
export const COUNTER_KINDS = ['syncookies_sent', 'syn_dropped'] as const satisfies readonly EventKind[];
export type CounterKind = (typeof COUNTER_KINDS)[number];

export interface TcpEvent {
  kind: EventKind;
  /** Wall-clock time in milliseconds since the Unix epoch, with a microsecond fraction. */
  ts: number;
  family: 4 | 6;
  /** This host's side of the connection, whatever the tracepoint's source/destination order. */
  laddr: string;
  lport: number;
  /** The peer's side. */
  raddr: string;
  rport: number;
  /** TCP state name (`SYN_RECV`, `ESTABLISHED`, ...) where the tracepoint has one. */
  state?: string;
  /** For `state_change`. */
  oldstate?: string;
  newstate?: string;
  /** Reset reason name where the kernel gives one (`no_socket`, `tcp_abort_on_close`, ...). */
  reason?: string;
  /** For `connect_refused`: `inbound` (a SYN to a closed port here) or `outbound` (a local connect() refused). */
  direction?: 'inbound' | 'outbound';
  /** Network namespace inode number: tells containers apart. */
  netns: number;
  /** Socket identity for correlating the events of one connection (kernel socket address, hex). */
  sock?: string;
  /** Best effort only: many TCP tracepoints run in softirq context, where this is whoever was on the CPU. */
  pid?: number;
  comm?: string;
  /** The collecting host's name. */
  host: string;
  /**
   * For counter-sample kinds (COUNTER_KINDS): the counter's increase since the previous sample.
   * Such an event counts as `value` events in a window's `count`.
   */
  value?: number;
  /**
   * Victim names (docs/events.md, "Victim names"): filled by the collector from its cache of this
   * host's network namespaces, keyed by `netns`; absent when the namespace has no such name.
   * `netns_name`: the namespace's bind-mount name (`ip netns`, docker's sandbox id).
   */
  netns_name?: string;
  /** The one container whose processes live in the namespace: its name, else its id's first 12 hex digits. */
  container?: string;
  /** The Kubernetes pod of the namespace: `namespace/name`, else its uid. */
  pod?: string;
  /** The one systemd service (`nginx.service`) whose processes live in the namespace. */
  service?: string;
}

/** The fields a rule may match, group or count on, with their value type. */
export const EVENT_FIELDS: Record<keyof TcpEvent, 'string' | 'number'> = {
  kind: 'string',
  ts: 'number',
  family: 'number',
  laddr: 'string',
  lport: 'number',
  raddr: 'string',
  rport: 'number',
  state: 'string',
  oldstate: 'string',
  newstate: 'string',
  reason: 'string',
  direction: 'string',
  netns: 'number',
  sock: 'string',
  pid: 'number',
  comm: 'string',
  host: 'string',
  value: 'number',
  netns_name: 'string',
  container: 'string',
  pod: 'string',
  service: 'string',
};

/**
 * Whether a name from a rule file is an event field. An own-property test: `name in EVENT_FIELDS`
 * also holds for `constructor`, `toString` or `__proto__`, which then reached the engine's field
 * getters and failed every batch.
 */
export function isEventField(name: string): name is keyof TcpEvent {
  return Object.hasOwn(EVENT_FIELDS, name);
}
