/** One group's alert episode: what the state machine keeps between judgements (epoch ms). */
export interface AlertEpisode {
  firing: boolean;
  /** The judgement instant at which the current (or last) episode first fired. */
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
 * instants are slice boundaries in event time, so the transitions are the same in every process.
 */
export function stepAlert(episode: AlertEpisode, holds: boolean, at: number, cooldownMs: number, resolveMs: number): AlertTransition {
  if (holds) {
    episode.lastTrueAt = at;
    if (!episode.firing) {
      episode.firing = true;
      episode.startsAt = at;
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
