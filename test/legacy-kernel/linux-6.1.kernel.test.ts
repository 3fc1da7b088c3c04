/**
 * The same BPF object on Debian 12's own Linux 6.1, whose tcp_send_reset has the old layout, fires
 * only for full sockets, and whose SYN to a closed port shows only as skb:kfree_skb NO_SOCKET.
 * The harness runs the addon's BpfSession inside a VM booted on that kernel; its records are
 * decoded here by the same decoder the collector uses. The shared tests (every-kind-tests.ts)
 * check every other kind, among them the pre-6.17 tcp_retransmit_skb layout.
 */
import { describeKernelVm } from './describe-kernel-vm';
import { testEveryKind } from './every-kind-tests';

describeKernelVm('6.1', "the collector's BPF program on Linux 6.1 (pre-6.10 layouts)", (run) => {
  test('loads and attaches every tracepoint, adding skb:kfree_skb because tcp_send_reset has the old layout', () => {
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
  ])('a SYN to a closed port over %s: a no_socket reset and an inbound refusal, from kfree_skb', (_l, addr, family) => {
    expect(run.lines).toContain(`traffic refused ${addr}:7 -> Connection refused`);
    const sent = run.events.filter((e) => e.kind === 'rst_sent' && e.lport === 7 && e.laddr === addr);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ family, raddr: addr, reason: 'no_socket' });
    const inbound = run.events.filter((e) => e.kind === 'connect_refused' && e.direction === 'inbound' && e.laddr === addr);
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ lport: 7, rport: sent[0].rport });
  });

  test.each([
    ['IPv4', '127.0.0.1'],
    ['IPv6', '::1'],
  ])('the refused client over %s: reset received in SYN_SENT, an outbound refusal', (_l, addr) => {
    const outbound = run.events.filter((e) => e.kind === 'connect_refused' && e.direction === 'outbound' && e.raddr === addr);
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ rport: 7 });
    const received = run.events.filter((e) => e.kind === 'rst_received' && e.rport === 7 && e.raddr === addr);
    expect(received).toEqual([expect.objectContaining({ state: 'SYN_SENT', lport: outbound[0].lport })]);
  });

  test.each([
    ['IPv4', '127.0.0.1', 9000, 4],
    ['IPv6', '::1', 9001, 6],
  ])('a reset on an established connection over %s: the old tcp_send_reset layout, local side first, no reason name', (_l, addr, port, family) => {
    expect(run.lines.some((l) => l.startsWith(`traffic abort ${addr}:${port} -> client read -1 (Connection reset by peer)`))).toBe(true);
    const sent = run.events.filter((e) => e.kind === 'rst_sent' && e.lport === port);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ family, laddr: addr, raddr: addr });
    expect(sent[0].reason).toBeUndefined();
    expect(sent[0].sock).toBeDefined();
    const received = run.events.filter((e) => e.kind === 'rst_received' && e.rport === port);
    expect(received).toEqual([expect.objectContaining({ family, state: 'ESTABLISHED' })]);
  });

  test('a SYN to an address routed via lo but not owned counts as a no_socket reset though none is sent', () => {
    // The kernel drops it with NO_SOCKET but answers nothing (the reset's source would not be a
    // local address); the kfree_skb path cannot tell, as 6.10+'s tcp_send_reset can (host tests).
    const sent = run.events.filter((e) => e.kind === 'rst_sent' && e.laddr === '192.0.2.1');
    expect(sent.length).toBeGreaterThan(0);
    for (const e of sent) expect(e).toMatchObject({ family: 4, lport: 80, raddr: '127.0.0.1', reason: 'no_socket' });
    expect(run.events.filter((e) => e.kind === 'rst_received' && e.raddr === '192.0.2.1')).toEqual([]);
  });

  test('state changes of the connections are there too', () => {
    const transitions = run.events.filter((e) => e.kind === 'state_change').map((e) => `${e.oldstate}>${e.newstate}`);
    expect(transitions).toEqual(expect.arrayContaining(['CLOSE>SYN_SENT', 'SYN_SENT>CLOSE', 'SYN_SENT>ESTABLISHED', 'CLOSE>LISTEN']));
  });

  testEveryKind(run);
});
