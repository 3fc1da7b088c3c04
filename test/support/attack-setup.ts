/**
 * Network set-up the attack scenarios share, always inside the test's own namespaces (so deleting
 * a namespace also removes its firewall rules and addresses).
 */
import { createNetnsPair, type NetnsHost, type NetnsPair } from './netns';
import type { Teardown } from './teardown';

let pairs = 0;

/**
 * A fresh server/client pair, deleted at teardown (after the children that use it are killed).
 * Each pair of a process gets its own /24: the kernel reuses a deleted namespace's inode, so
 * without new addresses a scenario could land in the group (netns, address) of the one before,
 * still firing or in its cooldown.
 */
export function scenarioPair(teardown: Teardown): NetnsPair {
  const pair = createNetnsPair(10 + ((process.pid + pairs++) % 200));
  teardown.add(() => pair.destroy());
  return pair;
}

const SYNACK_DROP = ['INPUT', '-p', 'tcp', '--tcp-flags', 'SYN,ACK', 'SYN,ACK', '-j', 'DROP'];

/**
 * Drops SYN-ACKs arriving at `host` (the attacker), so its connects stay half-open on the
 * listener, which retransmits its SYN-ACKs as it would to spoofed sources. The returned function
 * lifts the drop: the listener's next retransmits are then answered with resets (the attacker's
 * sockets are gone) and its half-open requests end, like a flood that stopped.
 */
export function dropSynAcks(pair: NetnsPair, host: NetnsHost, family: 4 | 6): () => void {
  const tool = family === 4 ? 'iptables' : 'ip6tables';
  pair.exec(host, tool, ['-A', ...SYNACK_DROP]);
  return () => void pair.exec(host, tool, ['-D', ...SYNACK_DROP]);
}

/** Adds `count` more IPv4 addresses of the pair's /24 to `host` (.100, .101, ...) and returns them. */
export function addSourceAddresses(pair: NetnsPair, host: NetnsHost, count: number): string[] {
  const prefix = host.v4.split('.').slice(0, 3).join('.');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const addr = `${prefix}.${100 + i}`;
    pair.exec(host, 'ip', ['addr', 'add', `${addr}/24`, 'dev', host.dev]);
    out.push(addr);
  }
  return out;
}

/**
 * Drops `percent` % (down to 0.1) of the TCP segments `host` receives from port `sport`, at random
 * (nft numgen random, per mille so fractions work); returns the undo.
 */
export function randomLoss(pair: NetnsPair, host: NetnsHost, sport: number, percent: number): () => void {
  pair.exec(host, 'nft', ['add', 'table', 'inet', 'twloss']);
  pair.exec(host, 'nft', ['add', 'chain', 'inet', 'twloss', 'in', '{ type filter hook input priority 0 ; }']);
  pair.exec(host, 'nft', ['add', 'rule', 'inet', 'twloss', 'in', 'tcp', 'sport', String(sport), 'numgen', 'random', 'mod', '1000', '<', String(Math.round(percent * 10)), 'drop']);
  return () => void pair.exec(host, 'nft', ['delete', 'table', 'inet', 'twloss']);
}

/**
 * Routes a private /16 that exists nowhere else (172.16-31.x.x, chosen by the pair's /24) from the
 * server back over the veth: spoofed SYNs from it reach the server, and its answers die in the
 * client namespace, which is no router. Returns the prefix's first address, the first source for
 * bench/gen/syn-flood.c.
 */
export function routeSpoofedPrefix(pair: NetnsPair): string {
  const second = 16 + (Number(pair.server.v4.split('.')[1]) % 16);
  pair.exec(pair.server, 'ip', ['route', 'add', `172.${second}.0.0/16`, 'via', pair.client.v4]);
  return `172.${second}.0.1`;
}

/** The longest gap between a listener's SYN-ACK retransmits (1, 3, 7, 15, 31 s after the SYN): how long a stopped flood still shows. */
export const SYNACK_TAIL_MS = 16_000;
