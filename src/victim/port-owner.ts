import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { PortState, VictimProcess } from '../interfaces/victim';
import { cgroupV2Path } from './cgroup-owner';

/** TCP_LISTEN in the `st` column of /proc/net/tcp. */
const LISTEN = 0x0a;
const CMDLINE_MAX = 512;

export interface PortOwner {
  state: Exclude<PortState, 'unknown'>;
  process: VictimProcess | null;
  /** Set when a socket holds the port but no process with a descriptor to it was found. */
  note?: string;
}

/**
 * Which process holds local TCP `port` in the network namespace the processes `pids` live in:
 * the socket's inode from /proc/PID/net/tcp and tcp6 (read through the first of `pids` still
 * alive: those files show the sockets of that process's namespace), preferring a listening
 * socket over connections, then the process among `pids` with a descriptor `socket:[inode]`.
 * Undefined when no process of `pids` is left to read through. Reads files: for alert time only.
 */
export function findPortOwner(port: number, pids: readonly number[], proc = '/proc'): PortOwner | undefined {
  let sockets: { listen: Set<string>; connected: Set<string> } | undefined;
  for (const pid of pids) {
    sockets = socketsOnPort(`${proc}/${pid}/net`, port);
    if (sockets) break;
  }
  if (!sockets) return undefined;
  const state = sockets.listen.size > 0 ? 'listen' : sockets.connected.size > 0 ? 'connected' : 'closed';
  if (state === 'closed') return { state, process: null };
  const wanted = state === 'listen' ? sockets.listen : sockets.connected;
  for (const pid of pids) {
    if (holdsSocket(`${proc}/${pid}/fd`, wanted)) {
      const process = describe(proc, pid);
      if (process) return { state, process };
    }
  }
  return { state, process: null, note: `a socket holds port ${port} but no process of the namespace has it open (or they are hidden from this one)` };
}

/** `socket:[inode]` texts of the sockets with local port `port`, or undefined when the files cannot be read. */
function socketsOnPort(netDir: string, port: number): { listen: Set<string>; connected: Set<string> } | undefined {
  const listen = new Set<string>();
  const connected = new Set<string>();
  let read = false;
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${netDir}/${file}`, 'latin1');
    } catch {
      continue;
    }
    read = true;
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const cols = lines[i].trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = cols[1];
      if (parseInt(local.slice(local.indexOf(':') + 1), 16) !== port) continue;
      const inode = cols[9];
      if (inode === '0') continue; // TIME_WAIT and request sockets belong to no descriptor
      (parseInt(cols[3], 16) === LISTEN ? listen : connected).add(`socket:[${inode}]`);
    }
  }
  return read ? { listen, connected } : undefined;
}

function holdsSocket(fdDir: string, wanted: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (wanted.has(readlinkSync(`${fdDir}/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function describe(proc: string, pid: number): VictimProcess | undefined {
  try {
    const comm = readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
    const args = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    let cmdline = args.join(' ');
    if (cmdline.length > CMDLINE_MAX) cmdline = `${cmdline.slice(0, CMDLINE_MAX - 1)}…`;
    const cgroup = cgroupV2Path(readFileSync(`${proc}/${pid}/cgroup`, 'utf8')) ?? '';
    return { pid, comm, cmdline, cgroup };
  } catch {
    return undefined; // exited meanwhile
  }
}
