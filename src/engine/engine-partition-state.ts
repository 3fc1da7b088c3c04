import type { PartitionState } from '../queue/partition-state';
import { decodeEngineState, encodeEngineState, type EngineState } from './engine-state';
import type { PartitionedEngine } from './partitioned-engine';

/** What an engine's partition state reports to its owner (the detector logs it). */
export interface EnginePartitionEvents {
  acquired?(partition: number, resumed: boolean): void;
  released?(partition: number): void;
  /** The saved state did not decode: the partition's windows start empty. */
  unreadable?(partition: number, err: Error): void;
}

/**
 * The consumer's PartitionState over a PartitionedEngine: each partition's windows, encoded at
 * every commit and taken up by the partition's next owner.
 */
export function enginePartitionState(engine: PartitionedEngine, events: EnginePartitionEvents = {}): PartitionState {
  const decode = (p: number, saved: Buffer): EngineState | undefined => {
    try {
      return decodeEngineState(saved);
    } catch (err) {
      events.unreadable?.(p, err as Error);
      return undefined;
    }
  };
  return {
    acquired: (p, saved) => {
      engine.add(p, saved && decode(p, saved));
      events.acquired?.(p, saved !== undefined);
    },
    snapshot: (p) => encodeEngineState(engine.exportState(p)!),
    released: (p) => {
      engine.remove(p);
      events.released?.(p);
    },
  };
}
