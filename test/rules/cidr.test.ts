import { cidrMatcher, cidrProblem } from '../../src/rules/cidr';

test('cidrProblem accepts addresses and blocks of both families', () => {
  expect(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '2001:db8::/128'].map(cidrProblem)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
});

test.each([
  ['10.0.0.256', "'10.0.0.256' is not an IPv4 or IPv6 address or CIDR block"],
  ['10.0.0.0/33', "'10.0.0.0/33' has an invalid prefix length"],
  ['::/129', "'::/129' has an invalid prefix length"],
  ['10.0.0.0/8/1', "'10.0.0.0/8/1' is not an IPv4 or IPv6 address or CIDR block"],
  ['10.0.0.0/x', "'10.0.0.0/x' has an invalid prefix length"],
  [8, '8 is not a string'],
])('cidrProblem(%j)', (value, problem) => expect(cidrProblem(value)).toBe(problem));

test('cidrMatcher matches by prefix, per family, and rejects non-addresses', () => {
  const inside = cidrMatcher(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '0.0.0.0/32']);
  const cases: Array<[unknown, boolean]> = [
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['0.0.0.0', true],
    ['fd12::1', true],
    ['fe80::1', false],
    ['10.0.0', false],
    ['', false],
    [undefined, false],
    [10, false],
  ];
  expect(cases.map(([a]) => inside(a))).toEqual(cases.map(([, m]) => m));
  expect(cidrMatcher(['0.0.0.0/0'])('203.0.113.9')).toBe(true);
});
