/** Linux TCP state numbers (include/net/tcp_states.h), stable across kernels, to the names events carry. */
const NAMES: readonly string[] = [
  'UNKNOWN',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
  'BOUND_INACTIVE',
];

export const TCP_STATE_NAMES: readonly string[] = NAMES;

export function tcpStateName(state: number): string {
  return NAMES[state] ?? `STATE_${state}`;
}

export const TCP_SYN_SENT = 2;
