import type { AlertEpisode } from './alert-state-machine';
import type { BaselineHistory } from './baseline-history';
import type { Touchable } from './capped-map';
import { SlidingWindow, type SlidingWindowState } from './sliding-window';

/** Everything a rule keeps for one group: its sliding window, its alert episode, its baseline. */
export interface GroupState extends Touchable {
  touched: boolean;
  /** Bumped when the object is recycled for another group: a judgement in flight then drops it. */
  generation: number;
  key: string;
  /** The values of the rule's `group_by` fields. */
  group: Array<string | number>;
  window: SlidingWindow;
  /** Created at the first judgement where the condition holds. */
  episode: AlertEpisode | undefined;
  /** For rules with a `baseline`. */
  baseline: BaselineHistory | undefined;
}

/** A group's state as plain data (engine state export); Infinity and NaN travel as null. */
export interface GroupStateJson {
  group: Array<string | number>;
  window: Omit<SlidingWindowState, 'dirtyFrom'> & { dirtyFrom: number | null };
  episode?: AlertEpisode;
  baseline?: { counts: number[]; lastBlockEnd: number; heldBlock: number | null };
}

export function newGroupState(key: string, group: Array<string | number>, host: string): GroupState {
  return { touched: false, generation: 0, key, group, window: new SlidingWindow(host), episode: undefined, baseline: undefined };
}

export function groupStateJson(g: GroupState): GroupStateJson {
  const window = g.window.toState();
  return {
    group: g.group,
    window: { ...window, dirtyFrom: Number.isFinite(window.dirtyFrom) ? window.dirtyFrom : null },
    ...(g.episode ? { episode: { ...g.episode } } : {}),
    ...(g.baseline ? { baseline: { counts: [...g.baseline.counts], lastBlockEnd: g.baseline.lastBlockEnd, heldBlock: Number.isNaN(g.baseline.heldBlock) ? null : g.baseline.heldBlock } } : {}),
  };
}

export function groupStateFromJson(key: string, json: GroupStateJson, exactLimit: number): GroupState {
  const window = SlidingWindow.fromState({ ...json.window, dirtyFrom: json.window.dirtyFrom ?? Infinity }, exactLimit);
  return {
    touched: false,
    generation: 0,
    key,
    group: json.group,
    window,
    episode: json.episode ? { ...json.episode } : undefined,
    baseline: json.baseline ? { counts: [...json.baseline.counts], lastBlockEnd: json.baseline.lastBlockEnd, heldBlock: json.baseline.heldBlock ?? NaN } : undefined,
  };
}
