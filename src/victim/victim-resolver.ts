import type { Alert } from '../interfaces/alert';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { Victim } from '../interfaces/victim';
import { cgroupOwner } from './cgroup-owner';
import type { NamespaceNames } from './namespace-names';
import { NetnsDirectory } from './netns-directory';
import { findPortOwner, type PortOwner } from './port-owner';

export interface VictimResolverOptions {
  /** This host's name: only alerts about its own events have their port owner looked up. */
  host: string;
  /** The names of this host's namespaces (the collector's, when there is one); else one refreshed on demand. */
  directory?: NetnsDirectory;
  proc?: string;
  /** How long a port's owner is remembered, in ms. Default 5000. */
  ownerCacheMs?: number;
}

/** Alert episodes whose victim is remembered, so the repeats and the resolution carry the same one. */
const EPISODES_MAX = 10_000;
const OWNERS_MAX = 1024;

/**
 * Gives an alert its `victim` just before the sinks take it (docs/alerts.md, "The victim"). On
 * the host whose events fired it, names come from the namespace directory and the port's owner
 * is looked up in /proc; for another host's events (an engine fed through Redis) only the names
 * the collector put on the events are known. An episode is named when it first fires; its
 * repeats and its resolution carry that same victim (labels built from it must not change).
 */
export class VictimResolver {
  private readonly directory: NetnsDirectory;
  private readonly owners = new Map<string, { at: number; owner: PortOwner | undefined }>();
  private readonly episodes = new Map<string, Victim>();

  constructor(private readonly options: VictimResolverOptions) {
    this.directory = options.directory ?? new NetnsDirectory({ proc: options.proc });
  }

  /** The alert with its victim; unchanged when it names no namespace (the built-in event-loss alert). */
  name(alert: Alert): Alert {
    let victim = this.episodes.get(alert.dedupKey);
    if (victim === undefined) {
      victim = this.resolve(alert);
      if (victim === undefined) return alert;
      if (alert.status === 'firing') {
        if (this.episodes.size >= EPISODES_MAX) this.episodes.delete(this.episodes.keys().next().value!);
        this.episodes.set(alert.dedupKey, victim);
      }
    }
    if (alert.status === 'resolved') this.episodes.delete(alert.dedupKey);
    return { ...alert, victim };
  }

  private resolve(alert: Alert): Victim | undefined {
    const inode = typeof alert.group.netns === 'number' ? alert.group.netns : alert.netns.length === 1 ? alert.netns[0] : undefined;
    if (inode === undefined) return undefined;
    const scope = portScope(alert);
    const hosts = new Set(alert.samples.map((e) => e.host));
    if (typeof alert.group.host === 'string') hosts.add(alert.group.host);
    if (hosts.size !== 1 || !hosts.has(this.options.host)) return fromEvents(inode, alert.samples[0], scope, [...hosts]);

    // Alert time only: a refresh at most every 2 s when the background one has not caught up.
    let names = this.directory.get(inode);
    if (names === undefined) {
      this.directory.refreshIfOlderThan(2000);
      names = this.directory.get(inode);
    }
    const victim = fromNames(inode, names);
    victim.port = scope.port;
    if (scope.closed) {
      victim.portState = 'closed';
      return victim;
    }
    if (scope.port === null) {
      victim.note = scope.note;
      return victim;
    }
    const owner = this.owner(inode, scope.port, names);
    if (owner === undefined) {
      victim.note = 'no process lives in the namespace to read its sockets through';
      return victim;
    }
    victim.portState = owner.state;
    victim.process = owner.process;
    if (owner.note) victim.note = owner.note;
    if (owner.process) this.nameAfterOwner(victim, owner.process.cgroup);
    return victim;
  }

  private owner(inode: number, port: number, names: NamespaceNames | undefined): PortOwner | undefined {
    const key = `${inode}|${port}`;
    const now = Date.now();
    const hit = this.owners.get(key);
    if (hit && now - hit.at < (this.options.ownerCacheMs ?? 5000)) return hit.owner;
    const owner = names ? findPortOwner(port, names.pids, this.options.proc) : undefined;
    if (this.owners.size >= OWNERS_MAX) this.owners.clear();
    this.owners.set(key, { at: now, owner });
    return owner;
  }

  /** The port owner's own container, pod or service names the victim more precisely than the namespace's. */
  private nameAfterOwner(victim: Victim, cgroup: string): void {
    const owner = cgroupOwner(cgroup);
    if (owner.container) {
      const c = this.directory.container(owner.container.runtime, owner.container.id);
      victim.container = { runtime: c.runtime, id: c.id, name: c.name ?? null };
    }
    if (owner.podUid) {
      const p = this.directory.pod(owner.podUid);
      victim.pod = { uid: p.uid, name: p.name ?? null, namespace: p.namespace ?? null };
    }
    if (owner.service && !owner.container) victim.service = owner.service;
  }
}

interface PortScope {
  port: number | null;
  /** The kernel itself said the port was closed (the events are refused connections). */
  closed: boolean;
  note?: string;
}

/** The local port an alert is about: its group's `lport`, else the one port all its sample events share. */
function portScope(alert: Alert): PortScope {
  const refused = alert.samples.length > 0 && alert.samples.every((e) => (e.kind === 'connect_refused' && e.direction === 'inbound') || (e.kind === 'rst_sent' && e.reason === 'no_socket'));
  if (typeof alert.group.lport === 'number') return { port: alert.group.lport, closed: refused };
  const ports = new Set(alert.samples.map((e) => e.lport).filter((p) => p !== 0));
  if (ports.size === 1) return { port: [...ports][0], closed: refused };
  if (refused) return { port: null, closed: true };
  return { port: null, closed: false, note: ports.size === 0 ? 'the alert is about no local port' : `the alert's events are on ${ports.size} local ports` };
}

function fromNames(inode: number, n: NamespaceNames | undefined): Victim {
  return {
    netns: { inode, name: n?.name ?? null },
    container: n?.container ? { runtime: n.container.runtime, id: n.container.id, name: n.container.name ?? null } : null,
    pod: n?.pod ? { uid: n.pod.uid, name: n.pod.name ?? null, namespace: n.pod.namespace ?? null } : null,
    service: n?.service ?? null,
    port: null,
    portState: 'unknown',
    process: null,
  };
}

/** Another host's events: the names its collector put on them, and no port owner. */
function fromEvents(inode: number, e: TcpEvent | undefined, scope: PortScope, hosts: string[]): Victim {
  const pod = e?.pod;
  const slash = pod?.indexOf('/') ?? -1;
  return {
    netns: { inode, name: e?.netns_name ?? null },
    container: e?.container === undefined ? null : /^[0-9a-f]{12}$/.test(e.container) ? { runtime: null, id: e.container, name: null } : { runtime: null, id: null, name: e.container },
    pod: pod === undefined ? null : slash >= 0 ? { uid: null, namespace: pod.slice(0, slash), name: pod.slice(slash + 1) } : { uid: pod, name: null, namespace: null },
    service: e?.service ?? null,
    port: scope.port,
    portState: scope.closed ? 'closed' : 'unknown',
    process: null,
    note: `the events came from ${hosts.length === 1 ? `host ${hosts[0]}` : `hosts ${hosts.join(', ')}`}: the port's owner is looked up only on the collecting host`,
  };
}
