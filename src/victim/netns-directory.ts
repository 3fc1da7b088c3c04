import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ContainerRuntime } from '../interfaces/victim';
import { cgroupOwner, cgroupV2Path, type CgroupOwner } from './cgroup-owner';
import { eventNames, type NamespaceNames } from './namespace-names';
import { NETNS_MOUNT_DIRS, netnsMountNames } from './netns-names';
import { RuntimeNames } from './runtime-names';

export interface NetnsDirectoryOptions {
  /** Where /proc is. */
  proc?: string;
  /** Directories of namespace bind mounts (default /run/netns and /var/run/docker/netns). */
  mountDirs?: readonly string[];
  /** Prefix of the runtimes' files (RuntimeNames); default '/'. */
  runtimeRoot?: string;
  /** How often start() re-reads everything, in ms. Default 5000. */
  refreshMs?: number;
  /** At most this many namespaces are named (the rest are counted in `stats.dropped`). Default 4096. */
  maxNamespaces?: number;
}

/** An unknown namespace triggers a refresh at most this often. */
const MISS_REFRESH_GAP_MS = 1000;
/** Inodes remembered as unknown (and as missed) at most: memory stays bounded whatever the events name. */
const UNKNOWN_MAX = 4096;

interface Member {
  pid: number;
  owner: CgroupOwner;
}

/**
 * Network namespace inode -> its names on this host (NamespaceNames), read from the kernel's own
 * objects: the bind mounts of named namespaces, and the processes in each namespace
 * (/proc/PID/ns/net) with their cgroup v2 paths (/proc/PID/cgroup) and the runtimes' files.
 * Refreshed in the background (start()) and soon after an unknown inode is asked for; `get` is a
 * map lookup and never reads a file, so the per-event path pays nothing more. Memory holds the
 * namespaces and processes alive at the last refresh, at most `maxNamespaces` namespaces.
 */
export class NetnsDirectory {
  readonly stats = { refreshes: 0, lastRefreshMs: 0, dropped: 0 };
  private entries = new Map<number, NamespaceNames>();
  /** Inodes looked up since the last refresh and not found: a refresh is due for them. */
  private missed = new Set<number>();
  /** Inodes a refresh did not find: not asked about again until the next periodic refresh. */
  private unknown = new Set<number>();
  private refreshedAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;
  private readonly proc: string;
  private readonly runtime: RuntimeNames;

  constructor(private readonly options: NetnsDirectoryOptions = {}) {
    this.proc = options.proc ?? '/proc';
    this.runtime = new RuntimeNames(options.runtimeRoot);
  }

  /** Reads everything now, then again every `refreshMs` (the timer does not keep the process up). */
  start(): void {
    this.refresh();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.unknown.clear();
      this.refresh();
    }, this.options.refreshMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    this.timer = this.pending = undefined;
  }

  /** The namespace's names, or undefined when it is not known (yet): then a refresh is scheduled. */
  get(inode: number): NamespaceNames | undefined {
    const hit = this.entries.get(inode);
    if (hit === undefined) this.miss(inode);
    return hit;
  }

  /** Re-reads now when the last refresh is older than `ms` (alert-time lookups). */
  refreshIfOlderThan(ms: number): void {
    if (Date.now() - this.refreshedAt >= ms) this.refresh();
  }

  private miss(inode: number): void {
    if (this.unknown.has(inode) || this.missed.size >= UNKNOWN_MAX) return;
    this.missed.add(inode);
    if (this.pending) return;
    const wait = Math.max(0, this.refreshedAt + MISS_REFRESH_GAP_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, wait);
    this.pending.unref();
  }

  /** Reads the mounts, the runtimes' files and every process's namespace and cgroup. */
  refresh(): void {
    const started = performance.now();
    const mounts = netnsMountNames(this.options.mountDirs ?? NETNS_MOUNT_DIRS);
    this.runtime.refresh();
    const members = this.members();
    const max = this.options.maxNamespaces ?? 4096;
    const entries = new Map<number, NamespaceNames>();
    let dropped = 0;
    for (const inode of new Set([...members.keys(), ...mounts.keys()])) {
      if (entries.size >= max) {
        dropped++;
        continue;
      }
      entries.set(inode, this.named(inode, mounts.get(inode), members.get(inode) ?? []));
    }
    this.entries = entries;
    if (this.unknown.size + this.missed.size > UNKNOWN_MAX) this.unknown.clear();
    for (const inode of this.missed) if (!entries.has(inode)) this.unknown.add(inode);
    this.missed.clear();
    this.refreshedAt = Date.now();
    this.stats.refreshes++;
    this.stats.dropped = dropped;
    this.stats.lastRefreshMs = performance.now() - started;
  }

  /** Namespace inode -> its processes, each with what its cgroup path says. */
  private members(): Map<number, Member[]> {
    const byNetns = new Map<number, Member[]>();
    let pids: string[];
    try {
      pids = readdirSync(this.proc);
    } catch {
      return byNetns;
    }
    for (const entry of pids) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      let inode: number;
      let cgroup: string | undefined;
      try {
        const link = readlinkSync(`${this.proc}/${entry}/ns/net`);
        inode = Number(link.slice(5, -1)); // net:[4026531840]
        cgroup = cgroupV2Path(readFileSync(`${this.proc}/${entry}/cgroup`, 'utf8'));
      } catch {
        continue; // exited meanwhile, or not ours to see
      }
      if (!Number.isInteger(inode)) continue;
      let list = byNetns.get(inode);
      if (!list) byNetns.set(inode, (list = []));
      list.push({ pid: Number(entry), owner: cgroup === undefined ? {} : cgroupOwner(cgroup) });
    }
    return byNetns;
  }

  /**
   * A namespace is named after a container, pod or service only when every process in it belongs
   * to that one (a pod's pause container aside): the host's namespace, shared by all, names none.
   */
  private named(inode: number, name: string | undefined, members: Member[]): NamespaceNames {
    const pids = members.map((m) => m.pid).sort((a, b) => a - b);
    const n: Omit<NamespaceNames, 'event'> = { inode, pids };
    if (name !== undefined) n.name = name;
    if (members.length > 0) {
      const pod = only(members.map((m) => m.owner.podUid));
      if (pod !== undefined) n.pod = this.pod(pod);
      const container = this.soleContainer(members);
      if (container) n.container = container;
      const service = only(members.map((m) => (m.owner.container ? undefined : m.owner.service)));
      if (service !== undefined) n.service = service;
    }
    return { ...n, event: eventNames(n) };
  }

  private soleContainer(members: Member[]): NamespaceNames['container'] {
    const byId = new Map<string, { runtime: ContainerRuntime; pid: number }>();
    for (const m of members) {
      const c = m.owner.container;
      if (!c) return undefined; // a process outside any container
      if (!byId.has(c.id)) byId.set(c.id, { runtime: c.runtime, pid: m.pid });
    }
    let ids = [...byId.keys()];
    // A pod's containers share its namespace with the pause (sandbox) container: that one is not the workload.
    if (ids.length > 1) ids = ids.filter((id) => this.comm(byId.get(id)!.pid) !== 'pause');
    if (ids.length !== 1) return undefined;
    return this.container(byId.get(ids[0])!.runtime, ids[0]);
  }

  /** A container with its name, where the runtime's files give one. */
  container(runtime: ContainerRuntime, id: string): NonNullable<NamespaceNames['container']> {
    const name = this.runtime.containerName(runtime, id);
    return name === undefined ? { runtime, id } : { runtime, id, name };
  }

  /** A pod with its name and namespace, where the kubelet's files give them. */
  pod(uid: string): NonNullable<NamespaceNames['pod']> {
    const p = this.runtime.pod(uid);
    return p === undefined ? { uid } : { uid, name: p.name, namespace: p.namespace };
  }

  private comm(pid: number): string | undefined {
    try {
      return readFileSync(`${this.proc}/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
  }
}

/** The one value every item has, or undefined when any lacks it or they differ. */
function only(values: Array<string | undefined>): string | undefined {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : undefined;
}
