/**
 * The partition of a key: FNV-1a (32 bit) over the key's UTF-16 code units (the same as its UTF-8
 * bytes for ASCII keys), modulo the partition count. Every producer and worker must compute the
 * same answer for the same key, in any process and any release: never change this function or the
 * partition count of a running deployment without draining its queues first.
 */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
