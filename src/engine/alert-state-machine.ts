/** One group's alert episode: what the state machine keeps between judgements (epoch ms). */
export interface AlertEpisode {
  firing: boolean;
  /**
   * Start of the slice in which the current (or last) episode's condition came to hold: the
   * judgement that first found it true is at the slice's end, and the crossing event lies inside.
   */
  startsAt: number;
  /** The judgement instant of the last notification sent (the firing or a repeat). */
  lastSentAt: number;
  /** The last judgement instant at which the condition held. */
  lastTrueAt: number;
}

export type AlertTransition = 'fire' | 'repeat' | 'resolve' | undefined;

export function newAlertEpisode(): AlertEpisode {
  return { firing: false, startsAt: 0, lastSentAt: 0, lastTrueAt: 0 };
}

/**
 * The alert state machine of one group, stepped once per judgement (at instant `at`, with the
 * verdict of the rule's `when`): it fires at the first judgement where the condition holds,
 * repeats while it holds once `cooldownMs` has passed since the last notification, and resolves at
 * the first judgement without it once `resolveMs` has passed since it last held. Judgement
 * instants are slice boundaries in event time (`at` ends a slice of `sliceMs`), so the transitions
 * are the same in every process. A look into an open slice that finds the condition true steps
 * the machine at the boundary ending that slice, early: the boundary's own judgement then finds
 * it firing already.
 */
export function stepAlert(episode: AlertEpisode, holds: boolean, at: number, sliceMs: number, cooldownMs: number, resolveMs: number): AlertTransition {
  if (holds) {
    episode.lastTrueAt = at;
    if (!episode.firing) {
      episode.firing = true;
      episode.startsAt = at - sliceMs;
      episode.lastSentAt = at;
      return 'fire';
    }
    if (at - episode.lastSentAt >= cooldownMs) {
      episode.lastSentAt = at;
      return 'repeat';
    }
    return undefined;
  }
  if (episode.firing && at - episode.lastTrueAt >= resolveMs) {
    episode.firing = false;
    return 'resolve';
  }
  return undefined;
}
