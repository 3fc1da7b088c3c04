/**
 * The same BPF object on Debian 11's own Linux 5.10: its TCP tracepoints have no `family` field
 * (added in 5.18), so the program reads the socket's family instead, and skb:kfree_skb has no drop
 * reason (5.17), so a SYN to a closed port is not seen on the listening side. The harness runs the
 * addon's BpfSession inside a VM booted on that kernel; its records are decoded here. The shared
 * tests (every-kind-tests.ts) check the family read from the request sock in
 * tcp_retransmit_synack and from the socket in the old tcp_retransmit_skb layout, over both families.
 */
import { describeKernelVm } from './describe-kernel-vm';
import { testEveryKind } from './every-kind-tests';

describeKernelVm('5.10', "the collector's BPF program on Linux 5.10 (no family field, no drop reason)", (run) => {
  test('loads and attaches every tracepoint, losing nothing', () => {
    expect(run.lines).toContain('btf sk_rst_reason no');
    for (const tp of ['tcp:tcp_retransmit_synack', 'tcp:tcp_retransmit_skb', 'tcp:tcp_send_reset', 'tcp:tcp_receive_reset', 'tcp:tcp_destroy_sock', 'sock:inet_sock_set_state', 'skb:kfree_skb']) {
      expect(run.lines).toContain(`attached ${tp}`);
    }
    expect(run.lines).toContain('cast reads no'); // bpf_rdonly_cast came in 6.2: probe reads
    expect(run.lines).toContain('TW-END 0');
    expect(run.lines.filter((l) => /^counter \d+ seen \d+ lost [1-9]/.test(l))).toEqual([]);
  });

  test.each([
    ['IPv4', '127.0.0.1', 4],
    ['IPv6', '::1', 6],
  ])('the refused client over %s: reset received in SYN_SENT (family from the socket), an outbound refusal', (_l, addr, family) => {
    expect(run.lines).toContain(`traffic refused ${addr}:7 -> Connection refused`);
    const outbound = run.events.filter((e) => e.kind === 'connect_refused' && e.direction === 'outbound' && e.raddr === addr);
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ family, laddr: addr, rport: 7 });
    const received = run.events.filter((e) => e.kind === 'rst_received' && e.rport === 7 && e.raddr === addr);
    expect(received).toEqual([expect.objectContaining({ family, state: 'SYN_SENT', lport: outbound[0].lport })]);
  });

  test('no inbound refusal: without a drop reason the closed port side of a refused SYN is not seen', () => {
    expect(run.events.filter((e) => e.kind === 'connect_refused' && e.direction === 'inbound')).toEqual([]);
    expect(run.events.filter((e) => e.kind === 'rst_sent' && e.lport === 7)).toEqual([]);
  });

  test.each([
    ['IPv4', '127.0.0.1', 9000, 4],
    ['IPv6', '::1', 9001, 6],
  ])('a reset on an established connection over %s: the old tcp_send_reset layout, family from the socket', (_l, addr, port, family) => {
    expect(run.lines.some((l) => l.startsWith(`traffic abort ${addr}:${port} -> client read -1 (Connection reset by peer)`))).toBe(true);
    const sent = run.events.filter((e) => e.kind === 'rst_sent' && e.lport === port);
    expect(sent).toEqual([expect.objectContaining({ family, laddr: addr, raddr: addr })]);
    expect(sent[0].reason).toBeUndefined();
    const received = run.events.filter((e) => e.kind === 'rst_received' && e.rport === port);
    expect(received).toEqual([expect.objectContaining({ family, state: 'ESTABLISHED' })]);
    expect(run.events.filter((e) => e.kind === 'destroy' && e.family === family && (e.lport === port || e.rport === port)).length).toBeGreaterThan(0);
  });

  test('state changes of the connections are there too', () => {
    const transitions = run.events.filter((e) => e.kind === 'state_change').map((e) => `${e.oldstate}>${e.newstate}`);
    expect(transitions).toEqual(expect.arrayContaining(['CLOSE>SYN_SENT', 'SYN_SENT>CLOSE', 'SYN_SENT>ESTABLISHED', 'CLOSE>LISTEN']));
  });

  testEveryKind(run);
});
