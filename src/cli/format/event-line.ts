import type { TcpEvent } from '../../interfaces/tcp-event';

/**
 * Aligned human-readable columns for `tcpwarden events`, in the manner of bcc's tcpstates. NETNS
 * is the namespace's name where it has one (else its inode) and CONTAINER its container, pod or
 * service: the victim side. CPU-PID and CPU-COMM are whatever task was on the CPU when the
 * tracepoint fired (often softirq: an attacker's or an unrelated process), never the victim.
 */
const COLUMNS: Array<[header: string, width: number]> = [
  ['TIME', 15],
  ['KIND', 17],
  ['LADDR', 15],
  ['LPORT', 5],
  ['RADDR', 15],
  ['RPORT', 5],
  ['STATE', 11],
  ['DETAIL', 27],
  ['NETNS', 14],
  ['CONTAINER', 16],
  ['CPU-PID', 7],
  ['CPU-COMM', 0],
];

function cell(value: string, width: number): string {
  return width === 0 ? value : value.padEnd(width);
}

/** Names are cut to their column, so the columns after them stay aligned. */
function fit(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, width - 1)}…`;
}

function time(ts: number): string {
  const d = new Date(ts);
  const us = Math.floor((ts * 1000) % 1000)
    .toString()
    .padStart(3, '0');
  return `${d.toTimeString().slice(0, 8)}.${d.getMilliseconds().toString().padStart(3, '0')}${us}`;
}

function detail(e: TcpEvent): string {
  if (e.kind === 'syncookies_sent') return `${e.value} SYN cookies`;
  if (e.kind === 'syn_dropped') return `${e.value} SYNs dropped`;
  const own = e.kind === 'state_change' ? `${e.oldstate} -> ${e.newstate}` : e.kind === 'connect_refused' ? (e.direction ?? '') : (e.reason ?? '');
  // An in-kernel aggregate (under load): the packets this one line stands for.
  return e.value === undefined ? own : `${own} x${e.value}`.trim();
}

export function eventHeader(): string {
  return COLUMNS.map(([h, w]) => cell(h, w)).join(' ');
}

export function formatEventLine(e: TcpEvent): string {
  const values = [
    time(e.ts),
    e.kind,
    e.laddr,
    String(e.lport),
    e.raddr,
    e.value !== undefined && e.rport === 0 ? '*' : String(e.rport),
    e.state ?? '-',
    detail(e) || '-',
    fit(e.netns_name ?? String(e.netns), 14),
    fit(e.container ?? e.pod ?? e.service ?? '-', 16),
    String(e.pid ?? '-'),
    e.comm ?? '-',
  ];
  return values.map((v, i) => cell(v, COLUMNS[i][1])).join(' ');
}
