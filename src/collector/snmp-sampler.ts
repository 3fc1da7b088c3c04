import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { TcpEvent } from '../interfaces/tcp-event';
import type { EventNames } from '../victim/namespace-names';
import { parseNetstat } from './netstat-counters';

export interface SnmpSamplerOptions {
  host: string;
  /** Only this network namespace (inode); default every namespace with a process in it. */
  netns?: number;
  /** Where /proc is (tests point it elsewhere). */
  proc?: string;
  /** The names of a network namespace by inode, put on its samples. */
  names?: (netns: number) => EventNames | undefined;
}

/**
 * The kernel's SYN-cookie counter as events. During a SYN flood the accept queue fills and the
 * kernel answers with SYN cookies, which caps the SYN-ACK retransmits the BPF program sees; the
 * counter TcpExtSyncookiesSent does not plateau. Each `sample()` reads it in every network
 * namespace (through one process living in each) and returns a `syncookies_sent` event, with
 * `value` the increase, for each namespace whose counter rose since the previous sample.
 */
export class SnmpSampler {
  private readonly proc: string;
  private readonly previous = new Map<number, number>();

  constructor(private readonly options: SnmpSamplerOptions) {
    this.proc = options.proc ?? '/proc';
  }

  /** One process per network namespace: the namespace's inode -> a pid in it. */
  private namespaces(): Map<number, string> {
    const found = new Map<number, string>();
    for (const pid of readdirSync(this.proc)) {
      if (!/^\d+$/.test(pid)) continue;
      let link: string;
      try {
        link = readlinkSync(`${this.proc}/${pid}/ns/net`);
      } catch {
        continue; // the process exited, or is a kernel thread we cannot see into
      }
      const m = /^net:\[(\d+)\]$/.exec(link);
      if (!m) continue;
      const inode = Number(m[1]);
      if (this.options.netns !== undefined && inode !== this.options.netns) continue;
      if (!found.has(inode)) found.set(inode, pid);
    }
    return found;
  }

  sample(now = Date.now()): TcpEvent[] {
    const events: TcpEvent[] = [];
    const seen = new Set<number>();
    for (const [netns, pid] of this.namespaces()) {
      let sent: number | undefined;
      try {
        sent = parseNetstat(readFileSync(`${this.proc}/${pid}/net/netstat`, 'utf8')).get('TcpExt.SyncookiesSent');
      } catch {
        continue; // the process exited between listing and reading
      }
      if (sent === undefined) continue;
      seen.add(netns);
      const before = this.previous.get(netns);
      this.previous.set(netns, sent);
      // The first sample of a namespace is its baseline, not cookies sent now.
      if (before === undefined || sent <= before) continue;
      const n = this.options.names?.(netns);
      events.push({
        kind: 'syncookies_sent',
        ts: now,
        family: 4,
        laddr: '',
        lport: 0,
        raddr: '',
        rport: 0,
        netns,
        host: this.options.host,
        value: sent - before,
        netns_name: n?.netns_name,
        container: n?.container,
        pod: n?.pod,
        service: n?.service,
      });
    }
    for (const netns of this.previous.keys()) if (!seen.has(netns)) this.previous.delete(netns);
    return events;
  }
}
