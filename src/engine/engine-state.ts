import { Packr } from 'msgpackr';
import type { KeyStateJson } from './key-state';
import type { WindowAggregateState } from './window-aggregate';

/** One rule's window state as plain JSON. */
export interface RuleState {
  fingerprint: string;
  cursor: number | undefined;
  firstStart: number | undefined;
  windows: Array<{ start: number; evictedEvents: number; groups: Array<[string, WindowAggregateState]> }>;
  keys: Array<[string, KeyStateJson]>;
}

/**
 * The engine's window state as plain JSON: survives a hot reload (rules whose fingerprint is
 * unchanged) or a move between processes. Version it so a future layout can refuse an old one.
 */
export interface EngineState {
  version: 1;
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
