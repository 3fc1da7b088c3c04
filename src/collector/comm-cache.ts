import { COMM_LEN, OFFSET } from './record-layout';

interface Entry {
  words: [number, number, number, number];
  comm: string;
}

/**
 * Task names by pid: a busy process writes the same 16 comm bytes into every record, and
 * turning them into a string each time is a large share of decoding. The cached string is
 * reused only while all 16 bytes still match (a pid's comm changes on exec).
 */
export class CommCache {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly limit = 4096) {}

  get(buf: Uint8Array, view: DataView, at: number, pid: number): string {
    const c = at + OFFSET.comm;
    const w0 = view.getUint32(c, true);
    const w1 = view.getUint32(c + 4, true);
    const w2 = view.getUint32(c + 8, true);
    const w3 = view.getUint32(c + 12, true);
    const hit = this.entries.get(pid);
    if (hit && hit.words[0] === w0 && hit.words[1] === w1 && hit.words[2] === w2 && hit.words[3] === w3) return hit.comm;
    let end = c;
    while (end < c + COMM_LEN && buf[end] !== 0) end++;
    const comm = Buffer.from(buf.buffer, buf.byteOffset + c, end - c).toString('latin1');
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(pid, { words: [w0, w1, w2, w3], comm });
    return comm;
  }
}
