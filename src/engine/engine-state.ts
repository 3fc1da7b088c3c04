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

// Plain MessagePack: a state saved by one worker is read by another, possibly of another release.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeEngineState(state: EngineState): Buffer {
  return packr.pack(state);
}

/** Throws on bytes that are not an encoded state; a state of another version is returned as is (importState ignores it). */
export function decodeEngineState(bytes: Buffer): EngineState {
  return packr.unpack(bytes) as EngineState;
}
