import { parseNetstat } from '../../src/collector/netstat-counters';

test('parseNetstat pairs each group header with its values', () => {
  const text = 'TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows\nTcpExt: 27684 3 12\nIpExt: InNoRoutes\nIpExt: 7\n';
  const c = parseNetstat(text);
  expect(c.get('TcpExt.SyncookiesSent')).toBe(27684);
  expect(c.get('TcpExt.ListenOverflows')).toBe(12);
  expect(c.get('IpExt.InNoRoutes')).toBe(7);
  expect(c.size).toBe(4);
});
