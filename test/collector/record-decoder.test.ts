import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordDecoder } from '../../src/collector/record-decoder';
import { FLAG, RECORD_SIZE, Tracepoint } from '../../src/collector/record-layout';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { buildRecord } from '../support/record-builder';

interface Fixture {
  kernel: string;
  resetReasons: Record<number, string>;
  records: Array<{ tracepoint: string; hex: string }>;
}

// Recorded on Linux 6.18 by test/support/capture-records.js: refused connects to port 7 over
// IPv4, IPv6 and IPv4-mapped IPv6, then a server on 127.0.0.1:9000 closing with unread data.
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'records-linux-6.18.json'), 'utf8')) as Fixture;
const ESTABLISHED = 1;
const SYN_SENT = 2;

function decodeFixture(): TcpEvent[] {
  const decoder = new RecordDecoder({ host: 'h1', resetReasons: fixture.resetReasons });
  return decoder.decode(Buffer.concat(fixture.records.map((r) => Buffer.from(r.hex, 'hex'))));
}

describe('RecordDecoder on records from Linux 6.18 (tcp_send_reset with its own layout)', () => {
  const events = decodeFixture();
  const refusedInbound = events.filter((e) => e.kind === 'connect_refused' && e.direction === 'inbound');
  const sentNoSocket = events.filter((e) => e.kind === 'rst_sent' && e.reason === 'no_socket');

  test('a reset sent with no socket is oriented with this host (the closed port) as the local side', () => {
    expect(sentNoSocket).toHaveLength(3);
    expect(sentNoSocket[0]).toMatchObject({ family: 4, laddr: '127.0.0.1', lport: 7, raddr: '127.0.0.1', host: 'h1' });
    expect(sentNoSocket[0].sock).toBeUndefined();
    expect(sentNoSocket[0].state).toBeUndefined();
    expect(sentNoSocket[0].rport).toBeGreaterThan(1023);
  });

  test('each refused SYN derives one inbound connect_refused with the same addresses', () => {
    expect(refusedInbound).toHaveLength(3);
    refusedInbound.forEach((e, i) => {
      expect(e).toMatchObject({ laddr: sentNoSocket[i].laddr, lport: 7, raddr: sentNoSocket[i].raddr, rport: sentNoSocket[i].rport });
    });
  });

  test('a reset received in SYN_SENT derives an outbound connect_refused from the connecting port', () => {
    const outbound = events.filter((e) => e.kind === 'connect_refused' && e.direction === 'outbound');
    expect(outbound).toHaveLength(3);
    expect(outbound.map((e) => e.lport)).toEqual(sentNoSocket.map((e) => e.rport));
    for (const e of outbound) expect(e).toMatchObject({ rport: 7 });
    const received = events.filter((e) => e.kind === 'rst_received');
    expect(received.filter((e) => e.state === 'SYN_SENT')).toHaveLength(3);
  });

  test('IPv6 is formatted, and IPv4-mapped IPv6 is reported as IPv4', () => {
    const v6 = events.filter((e) => e.family === 6);
    expect(v6.length).toBeGreaterThan(0);
    for (const e of v6) expect([e.laddr, e.raddr]).toEqual(['::1', '::1']);
    // The third refused connect came from an AF_INET6 socket to ::ffff:127.0.0.1.
    const mapped = events.filter((e) => e.kind === 'rst_received')[2];
    expect(mapped).toMatchObject({ family: 4, laddr: '127.0.0.1', raddr: '127.0.0.1', rport: 7 });
  });

  test('a reset on an established connection carries the socket and the reason name from BTF', () => {
    const abort = events.filter((e) => e.kind === 'rst_sent' && e.reason === 'tcp_abort_on_close');
    expect(abort).toHaveLength(1);
    expect(abort[0]).toMatchObject({ laddr: '127.0.0.1', lport: 9000, raddr: '127.0.0.1' });
    expect(abort[0].sock).toMatch(/^[0-9a-f]+$/);
  });

  test('state changes carry old and new names; timestamps are wall-clock milliseconds in order', () => {
    const changes = events.filter((e) => e.kind === 'state_change');
    expect(changes[0]).toMatchObject({ oldstate: 'CLOSE', newstate: 'SYN_SENT', state: 'SYN_SENT' });
    const ts = events.map((e) => e.ts);
    expect(ts[0]).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(ts[0]).toBeLessThan(Date.parse('2030-01-01'));
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(events.every((e) => typeof e.netns === 'number' && e.netns > 0)).toBe(true);
  });
});

describe('RecordDecoder on pre-6.10 layouts (built as that kernel writes them)', () => {
  // Before 6.10 there is no enum sk_rst_reason in BTF: no reason names at all.
  const decoder = new RecordDecoder({ host: 'h1', resetReasons: {} });

  test.each([
    ['IPv4', '10.1.0.1', '10.1.0.2'],
    ['IPv6', 'fd00:1::1', 'fd00:1::2'],
  ])('tcp_send_reset (full sockets only) over %s: source is the local side, no reason', (_l, local, peer) => {
    const events = decoder.decode(
      buildRecord({ tracepoint: Tracepoint.SendReset, saddr: local, daddr: peer, sport: 443, dport: 50000, state: ESTABLISHED, skaddr: 0xffff8880deadbeefn }),
    );
    expect(events).toEqual([
      expect.objectContaining({ kind: 'rst_sent', laddr: local, lport: 443, raddr: peer, rport: 50000, state: 'ESTABLISHED', sock: 'ffff8880deadbeef' }),
    ]);
    expect(events[0].reason).toBeUndefined();
  });

  test.each([
    ['IPv4', '10.1.0.2', '10.1.0.1', 4],
    ['IPv6', 'fd00:1::2', 'fd00:1::1', 6],
  ])('skb:kfree_skb NO_SOCKET drop of a SYN over %s: reversed to local/remote, a reset and an inbound refusal', (_l, peer, local, family) => {
    const events = decoder.decode(
      buildRecord({ tracepoint: Tracepoint.KfreeSkb, saddr: peer, daddr: local, sport: 40000, dport: 22, flags: FLAG.noSocket | FLAG.segSyn }),
    );
    expect(events).toEqual([
      expect.objectContaining({ kind: 'rst_sent', family, laddr: local, lport: 22, raddr: peer, rport: 40000, reason: 'no_socket' }),
      expect.objectContaining({ kind: 'connect_refused', direction: 'inbound', family, laddr: local, lport: 22, raddr: peer, rport: 40000 }),
    ]);
  });

  test('a dropped RST gets no reset in answer and is no connection attempt', () => {
    const events = decoder.decode(
      buildRecord({ tracepoint: Tracepoint.KfreeSkb, saddr: '10.1.0.2', daddr: '10.1.0.1', sport: 1, dport: 2, flags: FLAG.noSocket | FLAG.segRst }),
    );
    expect(events).toEqual([]);
  });

  test('a SYN-ACK to a closed port (backscatter) is answered with a reset but is not a refused connect', () => {
    const events = decoder.decode(
      buildRecord({ tracepoint: Tracepoint.KfreeSkb, saddr: '10.1.0.2', daddr: '10.1.0.1', sport: 80, dport: 5555, flags: FLAG.noSocket | FLAG.segSyn | FLAG.segAck }),
    );
    expect(events.map((e) => e.kind)).toEqual(['rst_sent']);
  });
});

describe('RecordDecoder', () => {
  test('names reset reasons by the running kernel\'s numbering, not a fixed table', () => {
    const decoder = new RecordDecoder({ host: 'h', resetReasons: { 5: 'SK_RST_REASON_TCP_ABORT_ON_CLOSE' } });
    const [e] = decoder.decode(buildRecord({ tracepoint: Tracepoint.SendReset, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, reason: 5, skaddr: 1n }));
    expect(e.reason).toBe('tcp_abort_on_close');
  });

  test('a receive reset outside SYN_SENT derives nothing', () => {
    const decoder = new RecordDecoder({ host: 'h', resetReasons: {} });
    const events = decoder.decode(buildRecord({ tracepoint: Tracepoint.ReceiveReset, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, state: ESTABLISHED, skaddr: 1n }));
    expect(events.map((e) => e.kind)).toEqual(['rst_received']);
    const refused = decoder.decode(buildRecord({ tracepoint: Tracepoint.ReceiveReset, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, state: SYN_SENT, skaddr: 1n }));
    expect(refused.map((e) => e.kind)).toEqual(['rst_received', 'connect_refused']);
  });

  test('decodes a batch made of many records, ignoring a trailing partial record', () => {
    const one = buildRecord({ tracepoint: Tracepoint.RetransmitSkb, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, state: ESTABLISHED, pid: 42, comm: 'curl' });
    const batch = Buffer.concat([one, one, one, one.subarray(0, RECORD_SIZE - 1)]);
    const events = new RecordDecoder({ host: 'h', resetReasons: {} }).decode(batch);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ kind: 'retransmit', pid: 42, comm: 'curl', state: 'ESTABLISHED' });
  });
});

describe('RecordDecoder: aggregates (in-kernel aggregation under load)', () => {
  test('an aggregate is one event whose value is its count, and its derived connect_refused carries the same value', () => {
    const decoder = new RecordDecoder({ host: 'h', resetReasons: {} });
    const flags = FLAG.aggregate | FLAG.noSocket | FLAG.segSyn;
    // The key left out the peer's port and the task: rport 0, pid 0, no comm.
    const events = decoder.decode(buildRecord({ tracepoint: Tracepoint.SendReset, saddr: '10.0.0.1', daddr: '172.16.0.9', sport: 7, dport: 0, flags, count: 1234, comm: '' }));
    expect(events.map((e) => [e.kind, e.value])).toEqual([['rst_sent', 1234], ['connect_refused', 1234]]);
    expect(events[1]).toMatchObject({ direction: 'inbound', laddr: '10.0.0.1', lport: 7, raddr: '172.16.0.9', rport: 0 });
    expect(events[0].pid).toBeUndefined();
    expect(events[0].comm).toBeUndefined();
  });

  test('a full record has no value, whatever its count field says', () => {
    const decoder = new RecordDecoder({ host: 'h', resetReasons: {} });
    const [e] = decoder.decode(buildRecord({ tracepoint: Tracepoint.RetransmitSkb, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, count: 1, pid: 9 }));
    expect(e.value).toBeUndefined();
    expect(e.pid).toBe(9);
  });

  test('an aggregate whose key kept the task names it', () => {
    const decoder = new RecordDecoder({ host: 'h', resetReasons: {} });
    const [e] = decoder.decode(buildRecord({ tracepoint: Tracepoint.RetransmitSkb, saddr: '1.2.3.4', daddr: '5.6.7.8', sport: 1, dport: 2, flags: FLAG.aggregate, count: 3, pid: 9, comm: 'curl' }));
    expect(e).toMatchObject({ value: 3, pid: 9, comm: 'curl' });
  });
});

describe('RecordDecoder: victim names of each event\'s namespace', () => {
  test('looks the names up once per run of one namespace, and names learned later apply from the next batch', () => {
    const names = new Map<number, { netns_name?: string; container?: string; pod?: string; service?: string }>([[7, { netns_name: 'web', container: 'shop-api', pod: 'shop/api-0' }]]);
    const asked: number[] = [];
    const decoder = new RecordDecoder({ host: 'h', resetReasons: {}, names: (n) => (asked.push(n), names.get(n)) });
    const rec = (netns: number) => buildRecord({ tracepoint: Tracepoint.RetransmitSynack, saddr: '10.0.0.1', daddr: '10.0.0.2', sport: 443, dport: 5000, netns });
    const first = decoder.decode(Buffer.concat([rec(7), rec(7), rec(8), rec(8), rec(7)]));
    expect(asked).toEqual([7, 8, 7]);
    expect(first.map((e) => e.container)).toEqual(['shop-api', 'shop-api', undefined, undefined, 'shop-api']);
    expect(first[0]).toMatchObject({ netns: 7, netns_name: 'web', pod: 'shop/api-0' });
    expect(first[0].service).toBeUndefined();
    names.set(8, { service: 'nginx.service' });
    const next = decoder.decode(rec(8));
    expect(next[0]).toMatchObject({ netns: 8, service: 'nginx.service' });
  });
});
