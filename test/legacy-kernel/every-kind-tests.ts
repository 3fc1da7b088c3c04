/**
 * The tests both old kernels share: the harness's retransmits, resets and closes (see harness.cc
 * for how it makes them with routes alone), decoded, with every field the kind has. What differs
 * between the kernels (refused connects, the reset layouts) stays in each kernel's test file.
 */
import { RecordDecoder } from '../../src/collector/record-decoder';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import type { VmRun } from './describe-kernel-vm';

const FAMILIES = [
  // label, family, the host's own address, another local address, a TEST-NET address via lo, the
  // address added to lo and deleted under an established connection.
  ['IPv4', 4, '127.0.0.1', '127.0.0.2', '192.0.2.1', '192.0.2.10'],
  ['IPv6', 6, '::1', '2001:db8::2', '2001:db8::1', '2001:db8::10'],
] as const;

/** The one port all of `events` show on that side; fails unless there is exactly one. */
function onlyPort(events: TcpEvent[], side: 'lport' | 'rport'): number {
  const ports = [...new Set(events.map((e) => e[side]))];
  expect(ports).toHaveLength(1);
  return ports[0];
}

export function testEveryKind(run: VmRun): void {
  const of = (kind: TcpEvent['kind'], fields: Partial<TcpEvent>): TcpEvent[] =>
    run.events.filter((e) => e.kind === kind && Object.entries(fields).every(([k, v]) => e[k as keyof TcpEvent] === v));

  test('the routes and addresses were set up and every retransmit came', () => {
    const setup = run.lines.filter((l) => l.startsWith('setup '));
    expect(setup.length).toBeGreaterThan(0);
    expect(setup.filter((l) => !l.endsWith(' -> 0'))).toEqual([]);
    expect(run.lines).toContain('traffic retransmits seen');
  });

  test('tcp_probe, asked for, is reported missing: its record names no socket (skaddr) here; the rest loads', () => {
    expect(run.lines).toContain('missing tcp:tcp_probe');
    expect(run.lines).not.toContain('attached tcp:tcp_probe');
    expect(run.lines).toContain('TW-END 0');
    expect(run.events.filter((e) => e.kind === 'probe')).toEqual([]);
  });

  test('in-kernel aggregation loads and counts here: per tracepoint seen = delivered + aggregated + lost, every aggregate drained', () => {
    const ledger = run.lines.filter((l) => l.startsWith('ledger ')).map((l) => l.split(' ').map(Number));
    expect(ledger).toHaveLength(8);
    // ledger TP seen S delivered D aggregated A lost L
    for (const [, tp, , seen, , delivered, , aggregated, , lost] of ledger) {
      expect({ tp, seen }).toEqual({ tp, seen: delivered + aggregated + lost });
    }
    const aggregates = new RecordDecoder({ host: 'vm', resetReasons: {} }).decode(
      Buffer.concat(run.lines.filter((l) => l.startsWith('aggregate ')).map((l) => Buffer.from(l.slice(10), 'hex'))),
    );
    const byTracepoint = new Map<string, number>();
    for (const e of aggregates) if (e.kind !== 'connect_refused') byTracepoint.set(e.kind, (byTracepoint.get(e.kind) ?? 0) + (e.value ?? 0));
    // 50 refused connects from 127.0.0.1: each client socket goes CLOSE -> SYN_SENT -> CLOSE,
    // receives a reset and is destroyed, all of it counted in the maps.
    const aggregatedOf = (tp: number) => ledger.find((l) => l[1] === tp)![7];
    expect(byTracepoint.get('state_change')).toBe(aggregatedOf(5));
    expect(byTracepoint.get('rst_received')).toBe(aggregatedOf(3));
    expect(byTracepoint.get('destroy')).toBe(aggregatedOf(4));
    expect(aggregatedOf(5)).toBeGreaterThanOrEqual(100);
    expect(aggregatedOf(3)).toBeGreaterThanOrEqual(50);
  });

  describe.each(FAMILIES)('over %s', (label, family, host, other, unreachable, vanished) => {
    test('SYN-ACK retransmits: the listener local, the client peer, from the request sock', () => {
      expect(run.lines).toContain(`traffic synack_unacknowledged ${other} -> ${host}:9100 -> connected`);
      const own = of('synack_retransmit', { family, lport: 9100 });
      expect(own.length).toBeGreaterThan(0);
      for (const e of own) expect(e).toMatchObject({ laddr: host, raddr: other, state: 'NEW_SYN_RECV' });
      expect(own.every((e) => e.sock !== undefined)).toBe(true);
      // The client's port, as the client's own socket saw it.
      const client = of('state_change', { family, laddr: other, raddr: host, rport: 9100, newstate: 'ESTABLISHED' });
      expect(onlyPort(own, 'rport')).toBe(onlyPort(client, 'lport'));
    });

    test('SYN_SENT retransmits of a connect() nothing answers, then its destroy', () => {
      expect(run.lines).toContain(`traffic syn_unanswered ${host} -> ${unreachable}:80 -> Operation now in progress`);
      const retransmits = of('retransmit', { raddr: unreachable, rport: 80 });
      expect(retransmits.length).toBeGreaterThan(0);
      for (const e of retransmits) expect(e).toMatchObject({ family, laddr: host, state: 'SYN_SENT' });
      const lport = onlyPort(retransmits, 'lport');
      expect(of('destroy', { raddr: unreachable, rport: 80 })).toEqual([expect.objectContaining({ family, laddr: host, lport })]);
      expect(of('state_change', { family, lport, oldstate: 'SYN_SENT', newstate: 'CLOSE' })).toHaveLength(1);
    });

    test('data retransmits in ESTABLISHED once the peer vanished', () => {
      expect(run.lines).toContain(`traffic peer_vanishes ${host} -> ${vanished}:9200 -> connected, wrote 4`);
      const retransmits = of('retransmit', { laddr: host, raddr: vanished, rport: 9200, state: 'ESTABLISHED' });
      expect(retransmits.length).toBeGreaterThan(0);
      for (const e of retransmits) expect(e).toMatchObject({ family });
      const lport = onlyPort(retransmits, 'lport');
      expect(of('state_change', { family, laddr: host, lport, oldstate: 'SYN_SENT', newstate: 'ESTABLISHED' })).toHaveLength(1);
      expect(new Set(retransmits.map((e) => e.sock)).size).toBe(1);
    });

    test(`resets both ways between two addresses: the closed listener resets its queued ${label} client`, () => {
      const client = onlyPort(of('state_change', { family, laddr: other, raddr: host, rport: 9100, newstate: 'ESTABLISHED' }), 'lport');
      expect(of('rst_sent', { lport: 9100, rport: client })).toEqual([expect.objectContaining({ family, laddr: host, raddr: other })]);
      expect(of('rst_received', { lport: client, rport: 9100 })).toEqual([
        expect.objectContaining({ family, laddr: other, raddr: host, state: 'ESTABLISHED' }),
      ]);
      expect(of('state_change', { family, lport: client, oldstate: 'ESTABLISHED', newstate: 'CLOSE' })).toHaveLength(1);
      expect(of('destroy', { lport: client, rport: 9100 })).toEqual([expect.objectContaining({ family, laddr: other, raddr: host })]);
    });
  });
}
