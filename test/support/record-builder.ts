/**
 * Builds ring-buffer records byte by byte, as the BPF program writes them, for decoder tests of
 * layouts this machine's kernel cannot produce (the pre-6.10 tcp_send_reset, skb:kfree_skb).
 */
import { AF_INET, AF_INET6, OFFSET, RECORD_SIZE, Tracepoint } from '../../src/collector/record-layout';

export interface RecordFields {
  tracepoint: Tracepoint;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  state?: number;
  oldstate?: number;
  reason?: number;
  flags?: number;
  netns?: number;
  skaddr?: bigint;
  tsNs?: bigint;
  pid?: number;
  comm?: string;
  /** Packets the record stands for (an aggregate's count); 1 by default, as the kernel writes. */
  count?: number;
}

function addressBytes(addr: string): { family: number; bytes: number[] } {
  if (!addr.includes(':')) return { family: AF_INET, bytes: addr.split('.').map(Number) };
  const [head, tail] = addr.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return { family: AF_INET6, bytes: all.flatMap((g) => [g >> 8, g & 0xff]) };
}

export function buildRecord(f: RecordFields): Buffer {
  const buf = Buffer.alloc(RECORD_SIZE);
  const s = addressBytes(f.saddr);
  const d = addressBytes(f.daddr);
  buf.writeBigUInt64LE(f.tsNs ?? 1_764_000_000_000_000_000n, OFFSET.ts_ns);
  buf.writeBigUInt64LE(f.skaddr ?? 0n, OFFSET.skaddr);
  Buffer.from(s.bytes).copy(buf, OFFSET.saddr);
  Buffer.from(d.bytes).copy(buf, OFFSET.daddr);
  buf.writeUInt32LE(f.netns ?? 4026531840, OFFSET.netns);
  buf.writeUInt32LE(f.pid ?? 0, OFFSET.pid);
  buf.writeUInt32LE(f.count ?? 1, OFFSET.count);
  buf.writeUInt16LE(f.sport, OFFSET.sport);
  buf.writeUInt16LE(f.dport, OFFSET.dport);
  buf.writeUInt16LE(s.family, OFFSET.family);
  buf[OFFSET.tracepoint] = f.tracepoint;
  buf[OFFSET.state] = f.state ?? 0;
  buf[OFFSET.oldstate] = f.oldstate ?? 0;
  buf[OFFSET.reason] = f.reason ?? 0;
  buf[OFFSET.flags] = f.flags ?? 0;
  buf.write(f.comm ?? 'swapper/0', OFFSET.comm, 15, 'latin1');
  return buf;
}
