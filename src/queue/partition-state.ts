/**
 * The state a consumer's handler builds from each partition's batches (the engine's windows).
 * The consumer saves it when it commits, with the acknowledgement of the batches it covers, and
 * hands it to the partition's next owner, so a partition moves between workers (a worker that
 * joins, leaves or dies) without losing or double counting what its windows held.
 */
export interface PartitionState {
  /** This worker owns `partition` now; `saved` is what its previous owner last committed (undefined: nothing). */
  acquired(partition: number, saved: Buffer | undefined): void;
  /** The partition's state now, covering every batch the handler has applied. Called between batches. */
  snapshot(partition: number): Buffer;
  /** The partition left this worker: its state is forgotten (the next owner carries on from the last commit). */
  released(partition: number): void;
}
