import type { PartitionState } from '../../src/queue/partition-state';

export interface CountingState {
  state: PartitionState;
  /** Events counted per partition held now, and what each partition started from when acquired. */
  counts: Map<number, number>;
  resumedFrom: Map<number, number>;
  add(partition: number, events: number): void;
}

/** The simplest handler state: events counted per partition, handed over with the partition. */
export function countingState(): CountingState {
  const counts = new Map<number, number>();
  const resumedFrom = new Map<number, number>();
  return {
    counts,
    resumedFrom,
    add: (p, events) => counts.set(p, (counts.get(p) ?? 0) + events),
    state: {
      acquired: (p, saved) => {
        const from = saved ? Number(saved.toString()) : 0;
        resumedFrom.set(p, from);
        counts.set(p, from);
      },
      snapshot: (p) => Buffer.from(String(counts.get(p) ?? 0)),
      released: (p) => counts.delete(p),
    },
  };
}
