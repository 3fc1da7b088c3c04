import { unpack } from 'msgpackr';
import { eventProblem } from '../../src/events/check-event';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { encodeBatch } from '../../src/queue/batch-codec';
import type { BatchColumns } from '../../src/queue/batch-columns';
import { vouchedEvents } from '../../src/queue/vouched-events';
import { contractBreakingEvents, tcpEvent } from '../support/tcp-events';

interface Wire {
  n: number;
  fields: string[];
  dict: unknown[];
  cols: unknown[][];
}

function wireOf(events: TcpEvent[]): Wire {
  return unpack(encodeBatch({ id: 'p1-1', partition: 0, createdAt: 1764062578000, lost: 0, collectorLost: 0, aggregatesLack: [], untraced: [], events })) as Wire;
}

function columnsOf(wire: Wire): BatchColumns {
  return Object.fromEntries(wire.fields.map((f, c) => [f, wire.cols[c]])) as BatchColumns;
}

describe('vouchedEvents', () => {
  it('vouches only for events eventProblem takes as they are, and for the plain ones', () => {
    const events = [
      tcpEvent(0),
      ...contractBreakingEvents(),
      tcpEvent(6, { family: 6, laddr: '2001:db8::1', raddr: 'fe80::1' }),
      // Valid, but eventProblem rewrites it (IPv4-mapped to IPv4): it must go through eventProblem.
      tcpEvent(7, { family: 6, laddr: '::ffff:10.0.0.1', raddr: '::ffff:10.0.1.7' }),
      // A counter sample: no addresses, valid for its kind only.
      tcpEvent(8, { kind: 'syncookies_sent', laddr: '', raddr: '', lport: 0, rport: 0, value: 3 }),
      tcpEvent(9, { kind: 'rst_sent', laddr: '', raddr: '' }),
      tcpEvent(10, { host: 'h'.repeat(300) }),
      tcpEvent(11, { direction: 'sideways' as 'inbound' }),
      tcpEvent(12, { value: -1 }),
      tcpEvent(13, { family: 4, raddr: 'fe80::1' }),
      tcpEvent(14, { pid: 4242, comm: 'curl', value: 250_000 }),
    ];
    const wire = wireOf(events);
    const vouched = vouchedEvents(columnsOf(wire), wire.dict, wire.n);
    const plain = events.map((e) => {
      const copy = { ...e } as Record<string, unknown>;
      return eventProblem(copy) === undefined && JSON.stringify(copy) === JSON.stringify(e) ? 1 : 0;
    });
    // Never one that eventProblem refuses or rewrites.
    vouched.forEach((v, i) => expect([i, v && plain[i]]).toEqual([i, v]));
    expect(plain).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
    // And every other plain event but the counter sample (its empty addresses are left to
    // eventProblem: samples come one per counter and 100 ms).
    expect([...vouched]).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('leaves to eventProblem what is no dictionary index or no number, and every event when a required column is missing', () => {
    const wire = wireOf([tcpEvent(0), tcpEvent(1), tcpEvent(2), tcpEvent(3)]);
    const columns = columnsOf(wire);
    const raddr = [...columns.raddr!];
    raddr[1] = '1';
    raddr[2] = 1.5;
    raddr[3] = wire.dict.length + 1;
    const lport = [...columns.lport!];
    lport[0] = '8000';
    expect([...vouchedEvents({ ...columns, raddr, lport }, wire.dict, wire.n)]).toEqual([0, 0, 0, 0]);
    expect([...vouchedEvents({ ...columns, raddr }, wire.dict, wire.n)]).toEqual([1, 0, 0, 0]);
    expect([...vouchedEvents({ ...columns, netns: undefined }, wire.dict, wire.n)]).toEqual([0, 0, 0, 0]);
  });
});
