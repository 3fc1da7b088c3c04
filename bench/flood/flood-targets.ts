/**
 * What the flood hits in the victim namespace, and the bench rule that counts it.
 *
 * - closed-port: nothing listens; each SYN is answered by a reset (`connect_refused inbound`, one
 *   tracepoint record per packet).
 * - syn-cookies: a listener with a backlog of 16 and net.ipv4.tcp_syncookies=1: once its 16
 *   half-open requests fill the queue, each SYN is answered by a cookie SYN-ACK with no request
 *   socket, which no tracepoint shows; the signal is the namespace's TcpExtSyncookiesSent counter
 *   (`syncookies_sent`, sampled, put on the listener its half-open requests name). Not
 *   tcp_syncookies=2: that answers the benign client's SYNs with cookies too, and the
 *   namespace-wide counter would count them as the flood's.
 * - small-backlog: a listener with a backlog of 16 and cookies off: 16 half-open requests fill its
 *   queue and the kernel drops every other SYN, which no tracepoint shows; the signal is the
 *   namespace's TcpExtListenDrops counter (`syn_dropped`, sampled and put on the listener alike).
 *
 * `detects`: the shipped rules meant for the target, whose first alert is the time to detect.
 *
 * The count rule fires once per run, after the flood: its `when` needs a second local port, which
 * only the marker (one connect to a closed port, sent after the flood and its last counter
 * sample) brings. Its window holds the whole run, so the alert's count is everything tcpwarden
 * counted of the floods, plus the one marker.
 */
import type { NetnsPair } from '../../test/support/netns';
import { startListener } from './listener';

export type TargetName = 'closed-port' | 'syn-cookies' | 'small-backlog';

export const BENIGN_PORT = 8080;
export const MARKER_PORT = 9;
export const COUNT_RULE_ID = 'bench-flood-count';
/**
 * Beyond the two floods in the count window: the drain between them and the marker's delay
 * (flood-run.ts's DRAIN_MS and MARKER_DELAY_MS, 3 s together) and the engine's lateness. A window
 * shorter than the run would count only its end.
 */
const COUNT_WINDOW_SLACK_S = 15;

export interface FloodTarget {
  name: TargetName;
  port: number;
  /** net.ipv4.tcp_syncookies in the victim namespace during the flood. */
  syncookies: 0 | 1 | 2;
  /** The flooded listener's backlog; null: nothing listens. */
  backlog: number | null;
  /** The event kind tcpwarden shows the flood as, and the local port of those events. */
  kind: 'connect_refused' | 'syncookies_sent' | 'syn_dropped';
  kindLport: number;
  detects: string[];
}

export const TARGETS: FloodTarget[] = [
  { name: 'closed-port', port: 7, syncookies: 1, backlog: null, kind: 'connect_refused', kindLport: 7, detects: ['refused-connections', 'port-scan'] },
  // Counter samples carry the port of the listener the kernel shows a sign of (docs/events.md).
  { name: 'syn-cookies', port: 8443, syncookies: 1, backlog: 16, kind: 'syncookies_sent', kindLport: 8443, detects: ['syn-flood-cookies', 'syn-flood'] },
  { name: 'small-backlog', port: 8443, syncookies: 0, backlog: 16, kind: 'syn_dropped', kindLport: 8443, detects: ['syn-flood-drops', 'syn-flood'] },
];

/**
 * The bench's own rule: one count per run of the target's events and the marker, in the victim's
 * namespace. `floodSeconds`: each of the run's two floods.
 */
export function countRule(target: FloodTarget, floodSeconds: number): string {
  const window = `${2 * floodSeconds + COUNT_WINDOW_SLACK_S}s`;
  const kinds = [...new Set([target.kind, 'connect_refused'])];
  const ports = [target.kindLport, MARKER_PORT];
  return `rules:
  - id: ${COUNT_RULE_ID}
    name: Bench flood count
    description: the flood's events, judged once the marker arrives after the flood
    severity: info
    match:
      all:
        - { fact: kind, operator: in, value: ${JSON.stringify(kinds)} }
        - { fact: lport, operator: in, value: ${JSON.stringify(ports)} }
    group_by: [netns]
    window: ${window}
    when: { all: [ { fact: distinct.lport, operator: greaterThanInclusive, value: 2 } ] }
    cooldown: ${window}
    summary: "{{count}} flood events and the marker"
`;
}

/** Sets the target up in the victim (server) namespace; returns its undo. */
export async function prepareTarget(pair: NetnsPair, target: FloodTarget, acceptLoop: string): Promise<() => void> {
  const sysctl = (value: number) => pair.exec(pair.server, 'sysctl', ['-q', '-w', `net.ipv4.tcp_syncookies=${value}`]);
  const before = Number(pair.exec(pair.server, 'sysctl', ['-n', 'net.ipv4.tcp_syncookies']).trim());
  sysctl(target.syncookies);
  const listener = target.backlog === null ? null : await startListener(pair, pair.server, acceptLoop, target.port, target.backlog);
  return () => {
    listener?.kill('SIGKILL');
    sysctl(before);
  };
}
