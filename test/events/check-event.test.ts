import { EVENT_STRING_MAX, EVENT_TS_MAX, EVENT_TS_MIN, eventProblem, toTcpEvent } from '../../src/events/check-event';
import { EVENT_FIELDS } from '../../src/interfaces/tcp-event';
import { tcpEvent } from '../support/tcp-events';

const good = () => ({ ...tcpEvent(1) }) as Record<string, unknown>;
const problemWith = (change: Record<string, unknown>) => toTcpEvent({ ...good(), ...change }).problem;

describe('toTcpEvent', () => {
  it('takes a valid event as it is', () => {
    expect(toTcpEvent(good())).toEqual({ event: tcpEvent(1) });
  });

  it('keeps only the contract fields: an unknown field is not carried on', () => {
    const { event } = toTcpEvent({ ...good(), payload: 'x'.repeat(1_000_000), nested: { a: 1 } });
    expect(event).toEqual(tcpEvent(1));
  });

  it.each([
    [{ ts: 1e300 }, /^'ts' must be epoch milliseconds between 2000-01-01 and 2200-01-01 .*got 1e\+300$/],
    [{ ts: 8.64e15 }, /^'ts' must be epoch milliseconds/],
    [{ ts: NaN }, /^'ts' must be epoch milliseconds/],
    [{ ts: EVENT_TS_MIN - 1 }, /^'ts' must/],
    [{ ts: EVENT_TS_MAX }, /^'ts' must/],
    [{ ts: '1767225600000' }, /^'ts' must .*got "1767225600000"$/],
    [{ lport: 70000 }, "'lport' must be a port number 0..65535, got 70000"],
    [{ rport: 1.5 }, "'rport' must be a port number 0..65535, got 1.5"],
    [{ family: 5 }, "'family' must be 4 or 6, got 5"],
    [{ raddr: { a: 1 } }, "'raddr' must be an IP address string, got an object"],
    [{ raddr: null }, "'raddr' must be an IP address string, got null"],
    [{ raddr: 'not-an-ip' }, '\'raddr\' must be an IPv4 or IPv6 address, got "not-an-ip"'],
    [{ raddr: '' }, "'raddr' is empty; only counter samples (syncookies_sent, syn_dropped) have no addresses"],
    [{ raddr: '2001:db8::1' }, '\'raddr\' "2001:db8::1" is not an IPv4 address, as \'family\' 4 says'],
    [{ kind: 'syn' }, /^'kind' must be one of synack_retransmit, .*, got "syn"$/],
    [{ host: undefined }, "'host' is missing"],
    [{ netns: -1 }, "'netns' must be a namespace inode number 0..4294967295, got -1"],
    [{ pid: 2 ** 40 }, /^'pid' must be a process id/],
    [{ value: -3 }, "'value' must be a non-negative finite number, got -3"],
    [{ value: Infinity }, "'value' must be a non-negative finite number, got Infinity"],
    [{ direction: 'sideways' }, "'direction' must be 'inbound' or 'outbound', got \"sideways\""],
    [{ comm: 'c'.repeat(EVENT_STRING_MAX + 1) }, `'comm' must be a string of at most ${EVENT_STRING_MAX} characters, got "${'c'.repeat(40)}…"`],
    [{ state: 7 }, `'state' must be a string of at most ${EVENT_STRING_MAX} characters, got 7`],
  ])('refuses %j saying what is wrong', (change, message) => {
    const problem = problemWith(change);
    if (typeof message === 'string') expect(problem).toBe(message);
    else expect(problem).toMatch(message);
  });

  it.each(Object.keys(EVENT_FIELDS))('checks field %s (the fast path and the worded rules agree)', (field) => {
    expect(problemWith({ [field]: {} })).toMatch(new RegExp(`^'${field}' must be .+, got an object$`));
  });

  it('refuses what is not an object', () => {
    expect(toTcpEvent([1]).problem).toBe('expected an event object, got an array');
    expect(toTcpEvent(null).problem).toBe('expected an event object, got null');
  });

  it('reports IPv4-mapped IPv6 addresses as IPv4, family 4, as the contract says', () => {
    const { event } = toTcpEvent({ ...good(), family: 6, laddr: '::ffff:10.0.0.1', raddr: '::FFFF:c000:0201' });
    expect(event).toMatchObject({ family: 4, laddr: '10.0.0.1', raddr: '192.0.2.1' });
  });

  it('takes IPv6 events and connection-less counter samples', () => {
    expect(problemWith({ family: 6, laddr: '2001:db8::1', raddr: 'fe80::1' })).toBeUndefined();
    expect(toTcpEvent({ kind: 'syncookies_sent', ts: EVENT_TS_MIN, family: 4, laddr: '', lport: 0, raddr: '', rport: 0, netns: 1, host: 'h', value: 12 }).problem).toBeUndefined();
    // Counter samples put on a listener name its address and port, and still no peer.
    expect(toTcpEvent({ kind: 'syn_dropped', ts: EVENT_TS_MIN, family: 6, laddr: 'fd00::1', lport: 8443, raddr: '', rport: 0, netns: 1, host: 'h', value: 3 }).problem).toBeUndefined();
    expect(toTcpEvent({ kind: 'syncookies_sent', ts: EVENT_TS_MIN, family: 4, laddr: '10.0.0.1', lport: 8443, raddr: '', rport: 0, netns: 1, host: 'h', value: 3 }).problem).toBeUndefined();
  });
});

describe('eventProblem with a memo', () => {
  it('gives the same answers when it caches address checks across events', () => {
    const memo = new Map<string, number | string>();
    expect(eventProblem(good(), memo)).toBeUndefined();
    expect(eventProblem({ ...good(), raddr: 'nope' }, memo)).toMatch(/^'raddr' must be an IPv4 or IPv6 address/);
    expect(eventProblem({ ...good(), raddr: 'nope' }, memo)).toMatch(/^'raddr' must be an IPv4 or IPv6 address/);
    const mapped = { ...good(), family: 6, raddr: '::ffff:10.0.1.1', laddr: '::ffff:10.0.0.1' };
    expect(eventProblem(mapped, memo)).toBeUndefined();
    expect(mapped).toMatchObject({ family: 4, raddr: '10.0.1.1' });
  });
});
