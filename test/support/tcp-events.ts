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

/**
 * Events 1 to 5, each breaking the event contract in one field: a time past any date, a port over
 * 65535, an address that is none, an unknown family, an address that is no string.
 */
export function contractBreakingEvents(): TcpEvent[] {
  return [
    tcpEvent(1, { ts: 1e300 }),
    tcpEvent(2, { lport: 70000 }),
    tcpEvent(3, { raddr: 'not-an-ip' }),
    tcpEvent(4, { family: 5 as 4 }),
    tcpEvent(5, { raddr: { a: 1 } as unknown as string }),
  ];
}
