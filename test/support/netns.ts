/**
 * Network namespaces a test makes for itself: a "server" and a "client" host joined by a veth
 * pair, with addresses from a private /24 (and a ULA /64) that exist only inside them. Traffic
 * never leaves the machine. Every namespace is removed in `destroy()`, which tests call from
 * afterAll so it runs even when the test fails; `ip netns del` also removes the veth pair.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { NETNS_TAG } from './netns-tag';

export interface NetnsHost {
  name: string;
  /** The namespace's inode number: the netns field of its events. */
  inode: number;
  v4: string;
  v6: string;
}

export interface NetnsPair {
  server: NetnsHost;
  client: NetnsHost;
  /** Runs a command inside a namespace and returns its stdout. */
  exec(host: NetnsHost, cmd: string, args: string[]): string;
  /** Starts a long-running command inside a namespace. */
  spawn(host: NetnsHost, cmd: string, args: string[]): ChildProcess;
  destroy(): void;
}

let counter = 0;

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createNetnsPair(subnet = 10 + (process.pid % 200)): NetnsPair {
  const tag = `${NETNS_TAG}${counter++}`;
  const names = { server: `${tag}s`, client: `${tag}c` };
  const created: string[] = [];
  const pair: NetnsPair = {
    server: { name: names.server, inode: 0, v4: `10.${subnet}.0.1`, v6: `fd00:${subnet}::1` },
    client: { name: names.client, inode: 0, v4: `10.${subnet}.0.2`, v6: `fd00:${subnet}::2` },
    exec(host, cmd, args) {
      return execFileSync('ip', ['netns', 'exec', host.name, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    },
    spawn(host, cmd, args) {
      return spawn('ip', ['netns', 'exec', host.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    },
    destroy() {
      for (const name of created.splice(0)) {
        try {
          ip(['netns', 'del', name]);
        } catch {
          // already gone
        }
      }
    },
  };
  try {
    for (const host of [pair.server, pair.client]) {
      ip(['netns', 'add', host.name]);
      created.push(host.name);
      host.inode = statSync(`/run/netns/${host.name}`).ino;
      ip(['-n', host.name, 'link', 'set', 'lo', 'up']);
    }
    const vs = `${tag}v0`;
    const vc = `${tag}v1`;
    ip(['link', 'add', vs, 'netns', names.server, 'type', 'veth', 'peer', 'name', vc, 'netns', names.client]);
    for (const [host, dev] of [
      [pair.server, vs],
      [pair.client, vc],
    ] as const) {
      ip(['-n', host.name, 'addr', 'add', `${host.v4}/24`, 'dev', dev]);
      ip(['-n', host.name, '-6', 'addr', 'add', `${host.v6}/64`, 'dev', dev, 'nodad']);
      ip(['-n', host.name, 'link', 'set', dev, 'up']);
    }
  } catch (err) {
    pair.destroy();
    throw err;
  }
  return pair;
}
