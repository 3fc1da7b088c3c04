import { formatIPv4, formatIPv6, isV4Mapped } from '../../src/collector/address-format';

const v6 = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex');

describe('address formatting', () => {
  test('IPv4, including from the cache', () => {
    const b = Buffer.from([192, 168, 7, 255]);
    expect(formatIPv4(b, 0)).toBe('192.168.7.255');
    expect(formatIPv4(b, 0)).toBe('192.168.7.255');
    expect(formatIPv4(Buffer.from([0, 10, 0, 0, 1]), 1)).toBe('10.0.0.1');
  });

  test.each([
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['fd00:0001:0000:0000:0000:0000:0000:0002', 'fd00:1::2'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:0db8:0001:0001:0001:0001:0001:0001', '2001:db8:1:1:1:1:1:1'],
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
  ])('IPv6 %s is %s (RFC 5952)', (hex, text) => {
    expect(formatIPv6(v6(hex), 0)).toBe(text);
  });

  test('IPv4-mapped IPv6 is recognised', () => {
    expect(isV4Mapped(v6('0000:0000:0000:0000:0000:ffff:7f00:0001'), 0)).toBe(true);
    expect(isV4Mapped(v6('0000:0000:0000:0000:0000:0000:7f00:0001'), 0)).toBe(false);
  });
});
