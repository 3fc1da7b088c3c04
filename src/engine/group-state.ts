import type { AlertEpisode } from './alert-state-machine';
import type { BaselineHistory } from './baseline-history';
import type { Touchable } from './capped-map';
import { SlidingWindow, type SlidingWindowState } from './sliding-window';

/**
 * Everything a rule keeps for one group: its sliding window (this object: one object per group
 * keeps a flood of one-shot groups small), its alert episode, its baseline.
 */
export class GroupState extends SlidingWindow implements Touchable {
  touched = false;
  /** Bumped when the object is recycled for another group: a judgement in flight then drops it. */
  generation = 0;
  /** Created at the first judgement where the condition holds. */
  episode: AlertEpisode | undefined = undefined;
  /** For rules with a `baseline`. */
  baseline: BaselineHistory | undefined = undefined;
  /** Where the rule's array of groups by key id (RuleRuntime.byKeyId) holds this one; -1: nowhere. */
  keyId = -1;

  constructor(
    public key: string,
    /** The values of the rule's `group_by` fields. */
    public group: Array<string | number>,
    host: string,
    fields: number,
  ) {
    super(host, fields);
  }
}

/** A group's state as plain data (engine state export); Infinity and NaN travel as null. */
export interface GroupStateJson {
  group: Array<string | number>;
  window: Omit<SlidingWindowState, 'dirtyFrom'> & { dirtyFrom: number | null };
  episode?: AlertEpisode;
  baseline?: { counts: number[]; lastBlockEnd: number; heldBlock: number | null };
}

export function groupStateJson(g: GroupState): GroupStateJson {
  const window = g.toState();
  return {
    group: g.group,
    window: { ...window, dirtyFrom: Number.isFinite(window.dirtyFrom) ? window.dirtyFrom : null },
    ...(g.episode ? { episode: { ...g.episode } } : {}),
    ...(g.baseline ? { baseline: { counts: [...g.baseline.counts], lastBlockEnd: g.baseline.lastBlockEnd, heldBlock: Number.isNaN(g.baseline.heldBlock) ? null : g.baseline.heldBlock } } : {}),
  };
}

export function groupStateFromJson(key: string, json: GroupStateJson, fields: number, exactLimit: number): GroupState {
  const g = new GroupState(key, json.group, json.window.host, fields);
  g.load({ ...json.window, dirtyFrom: json.window.dirtyFrom ?? Infinity }, exactLimit);
  g.episode = json.episode ? { ...json.episode } : undefined;
  g.baseline = json.baseline ? { counts: [...json.baseline.counts], lastBlockEnd: json.baseline.lastBlockEnd, heldBlock: json.baseline.heldBlock ?? NaN } : undefined;
  return g;
}
