import { readFileSync } from 'node:fs';
import { decodeEndpoint, emptyListenQueues, tallyListenQueues, type Endpoint, type ListenQueues } from './proc-net-tcp';

/** The listener a namespace's SYN-cookie or drop counter is put on, and the sign that named it. */
export interface ListenerSign extends Endpoint {
  sign: 'half-open' | 'accept-queue';
}

/**
 * Which listener the kernel shows to be under a flood, from the namespace's /proc/PID/net/tcp and
 * tcp6 (`netDir` is /proc/PID/net of a process in it), or undefined when none shows a sign.
 *
 * The kernel's cookie and drop counters are per namespace, and a listener sends cookies or drops
 * SYNs only while its SYN queue (or its accept queue) is full. A full SYN queue is a listener's
 * request sockets, listed as SYN_RECV lines with the attacked address and port: the listener with
 * the most of them is named. Failing that, the listener with the longest accept queue (one that
 * overflows because its process does not accept). The whole increase goes to that one listener
 * rather than split by share: a flood is one count crossing one threshold, and splitting it
 * between listeners could leave each part under the threshold the namespace-wide count crossed.
 * What this can get wrong: a busy listener whose queue holds more handshakes in flight than the
 * flooded one's whole (small) backlog takes the name (docs/events.md, "Counter samples").
 */
export function listenerSign(netDir: string): ListenerSign | undefined {
  const v4 = emptyListenQueues();
  const v6 = emptyListenQueues();
  readInto(`${netDir}/tcp`, v4);
  readInto(`${netDir}/tcp6`, v6);
  return chooseListener(v4, v6);
}

/** The choice of listenerSign over tallied queues (separate for tests with recorded text). */
export function chooseListener(...tallies: ListenQueues[]): ListenerSign | undefined {
  const halfOpen = largest(tallies.map((t) => t.halfOpen));
  const endpoint = halfOpen ?? largest(tallies.map((t) => t.acceptQueue));
  const decoded = endpoint === undefined ? undefined : decodeEndpoint(endpoint);
  return decoded && { ...decoded, sign: halfOpen !== undefined ? 'half-open' : 'accept-queue' };
}

/** The key with the largest count over the maps (the first met on a tie), or undefined when all are empty. */
function largest(maps: Map<string, number>[]): string | undefined {
  let best: string | undefined;
  let most = 0;
  for (const map of maps) {
    for (const [key, n] of map) {
      if (n > most) {
        best = key;
        most = n;
      }
    }
  }
  return best;
}

function readInto(path: string, into: ListenQueues): void {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return; // no IPv6 in the kernel, or the process exited: no sign from it
  }
  tallyListenQueues(text, into);
}
