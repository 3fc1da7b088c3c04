/**
 * A container-like network namespace: owned by a process (`unshare --net`), not named under
 * /run/netns, joined to one host of a test's pair by its own veth and /24 (10.S.1.0/24, the pair
 * using 10.S.0.0/24). Processes enter it with `nsenter`, as a container runtime's do; its inode,
 * read from /proc/PID/ns/net, is what tcpwarden reports as the events' netns.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import type { NetnsHost, NetnsPair } from './netns';
import type { SpawnIn } from './run-traffic';
import type { Teardown } from './teardown';

export interface ContainerNetns {
  /** The process holding the namespace. */
  pid: number;
  inode: number;
  /** The container's address, and its peer's on the veth. */
  v4: string;
  peerV4: string;
  spawn: SpawnIn;
  exec(cmd: string, args: string[]): string;
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Creates the namespace; the holder is killed at teardown, which frees the namespace and its veth. */
export async function createContainerNetns(pair: NetnsPair, peer: NetnsHost, teardown: Teardown): Promise<ContainerNetns> {
  const holder = teardown.child(spawn('unshare', ['--net', 'sleep', 'infinity'], { stdio: 'ignore' }));
  const pid = holder.pid!;
  const hostNs = readlinkSync('/proc/self/ns/net');
  const nsOf = () => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return hostNs;
    }
  };
  await until(() => nsOf() !== hostNs, `process ${pid} to enter its own network namespace`);
  const inode = statSync(`/proc/${pid}/ns/net`).ino;
  const prefix = peer.v4.split('.').slice(0, 2).join('.');
  const v4 = `${prefix}.1.1`;
  const peerV4 = `${prefix}.1.2`;
  const inside = `${peer.dev}k0`;
  const outside = `${peer.dev}k1`;
  const enter = (cmd: string, args: string[]) => ['-t', String(pid), '-n', cmd, ...args];
  const exec = (cmd: string, args: string[]) => execFileSync('nsenter', enter(cmd, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  ip(['link', 'add', inside, 'type', 'veth', 'peer', 'name', outside, 'netns', peer.name]);
  try {
    ip(['link', 'set', inside, 'netns', String(pid)]);
  } catch (err) {
    ip(['link', 'del', inside]);
    throw err;
  }
  exec('ip', ['link', 'set', 'lo', 'up']);
  exec('ip', ['addr', 'add', `${v4}/24`, 'dev', inside]);
  exec('ip', ['link', 'set', inside, 'up']);
  pair.exec(peer, 'ip', ['addr', 'add', `${peerV4}/24`, 'dev', outside]);
  pair.exec(peer, 'ip', ['link', 'set', outside, 'up']);
  return {
    pid,
    inode,
    v4,
    peerV4,
    spawn: (cmd, args) => spawn('nsenter', enter(cmd, args), { stdio: ['ignore', 'pipe', 'pipe'] }),
    exec,
  };
}
