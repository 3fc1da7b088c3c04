/**
 * What a group keeps across windows: its alert episode and, for rules with a baseline, the
 * counts of its past windows. Groups of rules without a baseline only have one while firing.
 */
export interface KeyState {
  touched: boolean;
  group: Array<string | number>;
  /** Counts of the last `baseline.windows` windows, oldest first. */
  history: number[];
  /** Start of the last window whose count is in `history` (epoch ms); windows after it without events count 0. */
  lastWindowStart: number | undefined;
  firing: boolean;
  /** When the current episode first fired (window end, epoch ms). */
  startsAt: number;
  /** Window end of the last notification sent (firing or repeat). */
  lastSentEnd: number;
  /** Window end of the last window whose condition held. */
  lastTrueEnd: number;
  /** Where the episode's events came from, for its resolution (whose window may hold no events). */
  host: string;
  netns: number[];
}

export type KeyStateJson = Omit<KeyState, 'touched'>;

export function newKeyState(group: Array<string | number>): KeyState {
  return { touched: false, group, history: [], lastWindowStart: undefined, firing: false, startsAt: 0, lastSentEnd: 0, lastTrueEnd: 0, host: '', netns: [] };
}
