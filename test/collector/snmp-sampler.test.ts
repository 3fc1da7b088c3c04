/**
 * The counter sampler on a /proc of its own: one process dir whose ns/net link and net/ files are
 * recorded text (fixtures/listen-queues, see its README), swapped between samples.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGN_REUSE_MS, SnmpSampler } from '../../src/collector/snmp-sampler';

const NETNS = 4026532999;
const fixture = (name: string) => join(__dirname, 'fixtures', 'listen-queues', name);
/** The recorded text without its request sockets (SYN_RECV lines): the accept queue is then the only sign. */
const withoutHalfOpen = (name: string) =>
  readFileSync(fixture(name), 'latin1')
    .split('\n')
    .filter((l) => !/^\s*\d+: \S+ \S+ 03 /.test(l))
    .join('\n');

describe('SnmpSampler', () => {
  let proc: string;
  let net: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'tw-proc-'));
    mkdirSync(join(proc, '4242', 'ns'), { recursive: true });
    symlinkSync(`net:[${NETNS}]`, join(proc, '4242', 'ns', 'net'));
    net = join(proc, '4242', 'net');
    mkdirSync(net);
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  const use = (netstat: string, tcp: string, tcp6: string) => {
    copyFileSync(fixture(netstat), join(net, 'netstat'));
    writeFileSync(join(net, 'tcp'), tcp);
    writeFileSync(join(net, 'tcp6'), tcp6);
  };
  const sampler = () => new SnmpSampler({ host: 'h', proc, names: () => ({ netns_name: 'victim' }) });

  it('puts the drops of a flood past a small backlog on the listener holding the half-open requests', () => {
    const s = sampler();
    use('netstat-before', readFileSync(fixture('tcp-flood'), 'latin1'), readFileSync(fixture('tcp6-flood'), 'latin1'));
    expect(s.sample(1000)).toEqual([]); // the baseline
    use('netstat-flood', readFileSync(fixture('tcp-flood'), 'latin1'), readFileSync(fixture('tcp6-flood'), 'latin1'));
    expect(s.sample(2000)).toEqual([
      { kind: 'syn_dropped', ts: 2000, family: 4, laddr: '10.231.0.1', lport: 8443, raddr: '', rport: 0, netns: NETNS, host: 'h', value: 4982, netns_name: 'victim' },
    ]);
    expect(s.sample(3000)).toEqual([]); // no rise, no event
  });

  it('falls back to the listener with the longest accept queue when no request socket is left', () => {
    const s = sampler();
    use('netstat-flood', withoutHalfOpen('tcp-overflow'), readFileSync(fixture('tcp6-overflow'), 'latin1'));
    s.sample(1000);
    use('netstat-overflow', withoutHalfOpen('tcp-overflow'), readFileSync(fixture('tcp6-overflow'), 'latin1'));
    expect(s.sample(2000)).toEqual([expect.objectContaining({ kind: 'syn_dropped', family: 6, laddr: 'fd00:231::1', lport: 9000, value: 9 })]);
  });

  it('names only the namespace when no listener shows a sign', () => {
    const s = sampler();
    use('netstat-before', withoutHalfOpen('tcp-flood'), withoutHalfOpen('tcp6-flood'));
    s.sample(1000);
    use('netstat-flood', withoutHalfOpen('tcp-flood'), withoutHalfOpen('tcp6-flood'));
    expect(s.sample(2000)).toEqual([expect.objectContaining({ kind: 'syn_dropped', family: 4, laddr: '', lport: 0, raddr: '', value: 4982, netns: NETNS })]);
  });

  /** The recorded netstat with TcpExt ListenDrops set to `n`. */
  const drops = (n: number) =>
    readFileSync(fixture('netstat-flood'), 'utf8').replace(/^(TcpExt: .*\n)(TcpExt: .*)$/m, (_all, head: string, values: string) => {
      const v = values.split(/\s+/);
      v[head.trim().split(/\s+/).indexOf('ListenDrops')] = String(n);
      return head + v.join(' ');
    });
  const flooded = () => use('netstat-flood', readFileSync(fixture('tcp-flood'), 'latin1'), readFileSync(fixture('tcp6-flood'), 'latin1'));
  /** Listen queues where only the IPv6 listener on port 9000 shows a sign (its accept queue). */
  const overflowing = () => {
    writeFileSync(join(net, 'tcp'), withoutHalfOpen('tcp-overflow'));
    writeFileSync(join(net, 'tcp6'), readFileSync(fixture('tcp6-overflow'), 'latin1'));
  };

  /** A sampler that named the flooded IPv4 listener at a rise at 2000, after which only the IPv6 one shows a sign. */
  const namedThenMoved = () => {
    const s = sampler();
    flooded();
    writeFileSync(join(net, 'netstat'), drops(100));
    s.sample(1000);
    writeFileSync(join(net, 'netstat'), drops(200));
    expect(s.sample(2000)).toEqual([expect.objectContaining({ laddr: '10.231.0.1', lport: 8443, value: 100 })]);
    overflowing();
    return s;
  };

  it('keeps the listener it named while the counters keep rising, reading the queues again after SIGN_REUSE_MS', () => {
    const s = namedThenMoved();
    writeFileSync(join(net, 'netstat'), drops(300));
    expect(s.sample(2000 + SIGN_REUSE_MS - 1)).toEqual([expect.objectContaining({ laddr: '10.231.0.1', lport: 8443, value: 100 })]);
    writeFileSync(join(net, 'netstat'), drops(400));
    expect(s.sample(2000 + SIGN_REUSE_MS)).toEqual([expect.objectContaining({ family: 6, laddr: 'fd00:231::1', lport: 9000, value: 100 })]);
  });

  it('reads the queues again at the first rise after a sample without one', () => {
    const s = namedThenMoved();
    expect(s.sample(2500)).toEqual([]);
    writeFileSync(join(net, 'netstat'), drops(300));
    expect(s.sample(3000)).toEqual([expect.objectContaining({ laddr: 'fd00:231::1', lport: 9000 })]);
  });

  it('samples SYN cookies the same way', () => {
    const s = sampler();
    const netstat = readFileSync(fixture('netstat-flood'), 'utf8');
    const cookies = (n: number) => netstat.replace(/^(TcpExt: .*\n)(TcpExt: .*)$/m, (_all, head: string, values: string) => {
      const names = head.trim().split(/\s+/);
      const v = values.split(/\s+/);
      v[names.indexOf('SyncookiesSent')] = String(n);
      return head + v.join(' ');
    });
    use('netstat-flood', readFileSync(fixture('tcp-flood'), 'latin1'), '');
    writeFileSync(join(net, 'netstat'), cookies(10));
    s.sample(1000);
    writeFileSync(join(net, 'netstat'), cookies(310));
    expect(s.sample(2000)).toEqual([expect.objectContaining({ kind: 'syncookies_sent', laddr: '10.231.0.1', lport: 8443, value: 300 })]);
  });
});
