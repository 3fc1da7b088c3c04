import type { TcpEvent } from '../../interfaces/tcp-event';

/** Aligned human-readable columns for `tcpwarden events`, in the manner of bcc's tcpstates. */
const COLUMNS: Array<[header: string, width: number]> = [
  ['TIME', 15],
  ['KIND', 17],
  ['LADDR', 15],
  ['LPORT', 5],
  ['RADDR', 15],
  ['RPORT', 5],
  ['STATE', 11],
  ['DETAIL', 27],
  ['NETNS', 10],
  ['PID', 7],
  ['COMM', 0],
];

function cell(value: string, width: number): string {
  return width === 0 ? value : value.padEnd(width);
}

function time(ts: number): string {
  const d = new Date(ts);
  const us = Math.floor((ts * 1000) % 1000)
    .toString()
    .padStart(3, '0');
  return `${d.toTimeString().slice(0, 8)}.${d.getMilliseconds().toString().padStart(3, '0')}${us}`;
}

function detail(e: TcpEvent): string {
  if (e.kind === 'state_change') return `${e.oldstate} -> ${e.newstate}`;
  if (e.kind === 'connect_refused') return e.direction ?? '';
  if (e.kind === 'syncookies_sent') return `${e.value} SYN cookies`;
  return e.reason ?? '';
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
    String(e.rport),
    e.state ?? '-',
    detail(e) || '-',
    String(e.netns),
    String(e.pid ?? '-'),
    e.comm ?? '-',
  ];
  return values.map((v, i) => cell(v, COLUMNS[i][1])).join(' ');
}
