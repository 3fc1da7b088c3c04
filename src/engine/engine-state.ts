import { Packr } from 'msgpackr';
import type { GroupStateJson } from './group-state';

/** One rule's state as plain data: its groups' sliding windows, alert episodes and baselines. */
export interface RuleState {
  fingerprint: string;
  /** The last slice boundary judged (epoch ms), null before the first events. */
  judgedUntil: number | null;
  /** Start of the rule's first block (the baseline's past begins there). */
  firstBlock: number | null;
  groups: Array<[string, GroupStateJson]>;
  /** Events lost per slice: [slice number, evicted, late]. */
  loss: Array<[number, number, number]>;
}

/**
 * The engine's window state as plain JSON: survives a hot reload (rules whose fingerprint is
 * unchanged) or a move between processes. Version it so a future layout can refuse an old one.
 */
export interface EngineState {
  /** 2: sliding windows (1 was tumbling windows, not readable any more). */
  version: 2;
  rules: Record<string, RuleState>;
}

// MessagePack with records (each object shape described once, inline): a state is mostly
// thousands of aggregates of a few shapes, and comes out ~40% smaller than plain MessagePack at the
// same speed. No shared structures: a state saved by one worker reads in any other.
const packr = new Packr({ useRecords: true, moreTypes: false });

export function encodeEngineState(state: EngineState): Buffer {
  return packr.pack(state);
}

/** Throws on bytes that are not an encoded state; a state of another version is returned as is (importState ignores it). */
export function decodeEngineState(bytes: Buffer): EngineState {
  return packr.unpack(bytes) as EngineState;
}
