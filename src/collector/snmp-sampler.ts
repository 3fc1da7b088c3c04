import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { COUNTER_KINDS, type CounterKind, type TcpEvent } from '../interfaces/tcp-event';
import type { EventNames } from '../victim/namespace-names';
import { listenerSign, type ListenerSign } from './listener-sign';
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

/** The /proc/net/netstat counter each counter-sample kind reads. */
const COUNTERS: Record<CounterKind, string> = {
  syncookies_sent: 'TcpExt.SyncookiesSent',
  // Every SYN (and handshake-completing ACK) a listener dropped: a full SYN queue without cookies
  // (TCPReqQFullDrop), a full accept queue (ListenOverflows), memory. One counter, no overlaps.
  syn_dropped: 'TcpExt.ListenDrops',
};

/**
 * How long the listener named while a namespace's counters keep rising is named again without
 * reading the listen queues anew. A read (/proc/PID/net/tcp and tcp6) makes the kernel walk its
 * whole established-socket hash for each file: 21 ms beside a flooded listener's 4,097 half-open
 * requests, 54 ms beside 18,700 TIME_WAIT sockets (`npm run bench -- listener-sign`), which once a
 * second was most of what tcpwarden spent on a SYN-cookie flood, where no tracepoint fires. What
 * it costs: a flood that moves to another listener while the counters keep rising is put on the
 * first one for up to this long.
 */
export const SIGN_REUSE_MS = 3000;

/**
 * The kernel's SYN-cookie and listen-drop counters as events. During a SYN flood a listener's
 * queue fills and the kernel answers with SYN cookies, which caps the SYN-ACK retransmits the BPF
 * program sees, or, with cookies off, drops the SYNs without a tracepoint; the counters do not
 * plateau. Each `sample()` reads them in every network namespace (through one process living in
 * each) and returns a `syncookies_sent` / `syn_dropped` event, with `value` the increase, for each
 * counter that rose since the previous sample. Only then are the namespace's listen queues read
 * (listener-sign.ts), to name the listener the increase belongs to: a quiet namespace costs one
 * small file per sample. While the counters keep rising, a listener once named stays named for
 * SIGN_REUSE_MS before the queues are read again.
 */
export class SnmpSampler {
  private readonly proc: string;
  private readonly previous = new Map<number, (number | undefined)[]>();
  /** Per namespace whose counters rose at its last sample: the listener then named, and when it was read. */
  private readonly named = new Map<number, { sign: ListenerSign; readAt: number }>();

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
      let counters: Map<string, number>;
      try {
        counters = parseNetstat(readFileSync(`${this.proc}/${pid}/net/netstat`, 'utf8'));
      } catch {
        continue; // the process exited between listing and reading
      }
      const values = COUNTER_KINDS.map((kind) => counters.get(COUNTERS[kind]));
      if (values.every((v) => v === undefined)) continue;
      seen.add(netns);
      const before = this.previous.get(netns);
      this.previous.set(netns, values);
      // The first sample of a namespace is its baseline, not cookies sent or SYNs dropped now.
      if (before === undefined) continue;
      let sign: ListenerSign | undefined | null = null; // null: not named yet
      for (let i = 0; i < COUNTER_KINDS.length; i++) {
        const was = before[i];
        const is = values[i];
        if (was === undefined || is === undefined || is <= was) continue;
        if (sign === null) sign = this.listener(netns, pid, now);
        events.push(this.event(COUNTER_KINDS[i], now, netns, is - was, sign));
      }
      if (sign === null) this.named.delete(netns); // no rise: the next one reads the queues
    }
    for (const netns of this.previous.keys()) {
      if (seen.has(netns)) continue;
      this.previous.delete(netns);
      this.named.delete(netns);
    }
    return events;
  }

  /** The listener a rise in `netns` goes to: the one named at a rise within SIGN_REUSE_MS, else read now. */
  private listener(netns: number, pid: string, now: number): ListenerSign | undefined {
    const named = this.named.get(netns);
    if (named && now - named.readAt < SIGN_REUSE_MS) return named.sign;
    const sign = listenerSign(`${this.proc}/${pid}/net`);
    if (sign) this.named.set(netns, { sign, readAt: now });
    else this.named.delete(netns);
    return sign;
  }

  /** A counter sample: on the listener that showed a sign, else on the namespace alone (empty address, port 0). */
  private event(kind: CounterKind, ts: number, netns: number, value: number, on: ListenerSign | undefined): TcpEvent {
    const n = this.options.names?.(netns);
    return {
      kind,
      ts,
      family: on?.family ?? 4,
      laddr: on?.addr ?? '',
      lport: on?.port ?? 0,
      raddr: '',
      rport: 0,
      netns,
      host: this.options.host,
      value,
      netns_name: n?.netns_name,
      container: n?.container,
      pod: n?.pod,
      service: n?.service,
    };
  }
}
