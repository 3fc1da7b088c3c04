/** Builders of normalized events for tests and benchmarks: varied, deterministic by index. */
import type { TcpEvent } from '../../src/interfaces/tcp-event';

export function tcpEvent(i: number, overrides: Partial<TcpEvent> = {}): TcpEvent {
  const event: TcpEvent = {
    kind: i % 3 === 0 ? 'connect_refused' : 'rst_sent',
    ts: 1764062577000 + i + 0.125,
    family: 4,
    laddr: '10.0.0.1',
    lport: 8000 + (i % 7),
    raddr: `10.0.1.${i % 251}`,
    rport: 30000 + (i % 30000),
    netns: 4026531840,
    host: `host-${i % 3}`,
    ...overrides,
  };
  if (event.kind === 'connect_refused') event.direction = 'inbound';
  else event.reason = 'tcp_abort_on_close';
  return event;
}

export function tcpEvents(from: number, count: number): TcpEvent[] {
  return Array.from({ length: count }, (_, k) => tcpEvent(from + k));
}
