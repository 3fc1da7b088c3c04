import { BlockList, isIP } from 'node:net';

/** Why a CIDR value was rejected, or undefined when `text` is an address or an address/prefix block. */
export function cidrProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return `${JSON.stringify(text)} is not a string`;
  const [addr, prefix, ...rest] = text.split('/');
  const family = isIP(addr);
  if (family === 0 || rest.length > 0) return `'${text}' is not an IPv4 or IPv6 address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return `'${text}' has an invalid prefix length`;
  return undefined;
}

// Parsed addresses: every rule with an exception tests the address of every event it reads, and
// peers repeat; a Map lookup (the string's hash is computed once and kept by V8) is cheaper than
// parsing again. Dropped when full, so a flood of new addresses costs bounded memory.
const PARSED_LIMIT = 65_536;
let parsed = new Map<string, number>();

/**
 * An address field's value as an unsigned 32-bit number when it is a dotted IPv4 address, else -1
 * (IPv6, absent, not a string). The engine parses each event's addresses once per batch with it
 * and hands every rule's CIDR tests the numbers (CidrMatcher.parsed).
 */
export function ipv4Of(address: unknown): number {
  return typeof address === 'string' ? ipv4(address) : -1;
}

/** Parses a dotted IPv4 address to an unsigned 32-bit number; -1 when it is not one. */
function ipv4(text: string): number {
  let value = parsed.get(text);
  if (value === undefined) {
    value = parseIpv4(text);
    if (parsed.size >= PARSED_LIMIT) parsed = new Map();
    parsed.set(text, value);
  }
  return value;
}

function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/**
 * A CIDR test of an address; `parsed` is the same test given the address's `ipv4Of` too, so that
 * rules testing one event's address do not each look its text up again.
 */
export interface CidrMatcher {
  (address: unknown): boolean;
  parsed(ipv4: number, address: unknown): boolean;
}

/**
 * A set of CIDR blocks tested once per event by `inCidr`/`notInCidr`. IPv4 (the common case) is
 * matched by hand on numbers because node's BlockList costs about a microsecond per call; IPv6
 * goes through BlockList. Call only with values `cidrProblem` accepted.
 */
export function cidrMatcher(blocks: string[]): CidrMatcher {
  // Bases and masks side by side: destructuring [base, mask] pairs in the per-event loop
  // allocated an iterator per block and event (a fifth of the engine's garbage in its benchmark).
  const bases: number[] = [];
  const masks: number[] = [];
  const v6 = new BlockList();
  let hasV6 = false;
  for (const block of blocks) {
    const [addr, prefix] = block.split('/');
    if (isIP(addr) === 4) {
      const bits = prefix === undefined ? 32 : Number(prefix);
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      bases.push((ipv4(addr) & mask) >>> 0);
      masks.push(mask);
    } else {
      hasV6 = true;
      if (prefix === undefined) v6.addAddress(addr, 'ipv6');
      else v6.addSubnet(addr, Number(prefix), 'ipv6');
    }
  }
  const parsed = (n: number, address: unknown): boolean => {
    if (n >= 0) {
      for (let i = 0; i < bases.length; i++) if (((n & masks[i]) >>> 0) === bases[i]) return true;
      return false;
    }
    return hasV6 && typeof address === 'string' && isIP(address) === 6 && v6.check(address, 'ipv6');
  };
  return Object.assign((address: unknown): boolean => parsed(ipv4Of(address), address), { parsed });
}
