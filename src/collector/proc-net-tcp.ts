import { endianness } from 'node:os';
import { formatIPv4, formatIPv6, isV4Mapped } from './address-format';

/** The `st` column of /proc/net/tcp: request sockets (half-open handshakes) show as SYN_RECV. */
const SYN_RECV = '03';
const LISTEN = '0A';

/**
 * What /proc/PID/net/tcp or tcp6 shows of a namespace's listen queues, keyed by the local
 * endpoint exactly as the file writes it (`0100000A:20FB`): converting only the endpoint finally
 * named keeps a flood's thousands of lines cheap.
 */
export interface ListenQueues {
  /** Request sockets (SYN_RECV lines) per local endpoint: the listener's SYN queue. */
  halfOpen: Map<string, number>;
  /** Per LISTEN line with a non-empty accept queue: its length (the `rx_queue` column of a listener). */
  acceptQueue: Map<string, number>;
}

export function emptyListenQueues(): ListenQueues {
  return { halfOpen: new Map(), acceptQueue: new Map() };
}

/**
 * Adds the listen queues of one /proc/net/tcp or tcp6 text to `into`. Lines are
 * `sl: LOCAL REMOTE ST TX:RX ...` with LOCAL and REMOTE `ADDRHEX:PORTHEX`; everything past the state
 * (and the accept queue of a LISTEN line) is left unread. A request socket's LOCAL is the address
 * the SYN was sent to, even when its listener is bound to the wildcard address.
 */
export function tallyListenQueues(text: string, into: ListenQueues): void {
  let at = text.indexOf('\n') + 1; // past the header
  while (at > 0 && at < text.length) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    const colon = text.indexOf(': ', at);
    if (colon > 0 && colon < lineEnd) {
      const local = colon + 2;
      const remote = text.indexOf(' ', local) + 1;
      const state = text.indexOf(' ', remote) + 1;
      if (remote > 0 && state > 0 && state + 2 <= lineEnd) {
        const st = text.slice(state, state + 2);
        if (st === SYN_RECV) {
          const key = text.slice(local, remote - 1);
          into.halfOpen.set(key, (into.halfOpen.get(key) ?? 0) + 1);
        } else if (st === LISTEN) {
          // TX:RX after the state; a listener's RX is its accept queue's length.
          const rx = parseInt(text.slice(state + 12, state + 20), 16);
          if (rx > 0) into.acceptQueue.set(text.slice(local, remote - 1), rx);
        }
      }
    }
    at = end < 0 ? -1 : end + 1;
  }
}

export interface Endpoint {
  family: 4 | 6;
  addr: string;
  port: number;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * `0100000A:20FB` (tcp) or 32 hex digits and a port (tcp6) as an address and port. The kernel
 * prints the address as 32-bit words in host byte order, so on little-endian machines each word's
 * bytes come reversed. IPv4-mapped IPv6 addresses become IPv4, as events report them.
 */
export function decodeEndpoint(key: string): Endpoint | undefined {
  const colon = key.indexOf(':');
  const hex = key.slice(0, colon);
  const port = parseInt(key.slice(colon + 1), 16);
  if ((hex.length !== 8 && hex.length !== 32) || !Number.isInteger(port)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let word = 0; word < bytes.length; word += 4) {
    for (let i = 0; i < 4; i++) {
      const from = LITTLE_ENDIAN ? 3 - i : i;
      bytes[word + i] = parseInt(hex.slice((word + from) * 2, (word + from) * 2 + 2), 16);
    }
  }
  if (bytes.length === 4) return { family: 4, addr: formatIPv4(bytes, 0), port };
  if (isV4Mapped(bytes, 0)) return { family: 4, addr: formatIPv4(bytes, 12), port };
  return { family: 6, addr: formatIPv6(bytes, 0), port };
}
