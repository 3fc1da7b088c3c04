/**
 * IP address bytes to text. IPv4 strings are cached by their 32-bit value: a flood repeats a few
 * addresses many times, and formatting is a large share of decoding cost.
 */
const V4_CACHE_LIMIT = 65536;
const v4Cache = new Map<number, string>();

export function formatIPv4(buf: Uint8Array, at: number): string {
  const key = ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
  let s = v4Cache.get(key);
  if (s === undefined) {
    s = `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
    if (v4Cache.size >= V4_CACHE_LIMIT) v4Cache.clear();
    v4Cache.set(key, s);
  }
  return s;
}

/** True for ::ffff:a.b.c.d, which events report as plain IPv4. */
export function isV4Mapped(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (buf[at + i] !== 0) return false;
  return buf[at + 10] === 0xff && buf[at + 11] === 0xff;
}

/** RFC 5952 text: lowercase hex, leading zeros dropped, the longest run (2+) of zero groups as `::`. */
export function formatIPv6(buf: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((buf[at + i] << 8) | buf[at + i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
