/**
 * A group's past for `baseline`/`spike`: the counts of its last N *blocks* (window-long periods
 * aligned to multiples of the window in event time), oldest first. The window judged at a block's
 * end is exactly that block, so its count is known there; a block whose end was not judged held
 * no events and counts 0. Blocks in which the condition held at any judgement are left out, so an
 * attack never becomes the normal it is compared with.
 */
export interface BaselineHistory {
  counts: number[];
  /** End of the last block accounted for (fed, or left out because the condition held). */
  lastBlockEnd: number;
  /** Start of the block in which the condition last held (NaN: never). */
  heldBlock: number;
}

export function newBaselineHistory(since: number): BaselineHistory {
  return { counts: [], lastBlockEnd: since, heldBlock: NaN };
}

/** Accounts the quiet blocks ending after the last one accounted for, up to `blockStart` (they count 0). */
export function rollBaseline(h: BaselineHistory, blockStart: number, windowMs: number, keep: number): void {
  const quiet = Math.min((blockStart - h.lastBlockEnd) / windowMs, keep);
  for (let i = 0; i < quiet; i++) h.counts.push(0);
  if (blockStart > h.lastBlockEnd) h.lastBlockEnd = blockStart;
  if (h.counts.length > keep) h.counts.splice(0, h.counts.length - keep);
}

/** `baseline` and `spike` for a window of `count` events, from the blocks before the current one. */
export function baselineFacts(h: BaselineHistory, count: number, minCount: number): { baseline: number; spike: number } {
  // No past at all (the rule's first block): no spike rather than a false one.
  if (h.counts.length === 0) return { baseline: minCount, spike: 0 };
  let sum = 0;
  for (const c of h.counts) sum += c;
  const baseline = Math.max(sum / h.counts.length, minCount);
  // A baseline under one event would make the ratio meaningless (or infinite).
  return { baseline, spike: count / Math.max(baseline, 1) };
}

/**
 * Records a judgement in the block starting at `blockStart`: whether the condition held, and when
 * the judgement is at the block's end (the window judged is then the whole block), its count,
 * unless the condition held in it.
 */
export function recordBaseline(h: BaselineHistory, blockStart: number, windowMs: number, atBlockEnd: boolean, holds: boolean, count: number, keep: number): void {
  if (holds) h.heldBlock = blockStart;
  if (!atBlockEnd) return;
  if (h.heldBlock !== blockStart) {
    h.counts.push(count);
    if (h.counts.length > keep) h.counts.splice(0, h.counts.length - keep);
  }
  h.lastBlockEnd = blockStart + windowMs;
}
