const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+)(ms|s|m|h|d)/y;

/**
 * The longest window a rule may have: a tumbling window holds its groups until it ends, and a
 * window longer than a day is a report rather than detection.
 */
export const MAX_WINDOW_MS = UNIT_MS.d;
/**
 * The longest any other duration may be (cooldown, resolve, the config's durations). Without a
 * limit, `9999999999999999999999d` passed and the first alert failed to print its time.
 */
export const MAX_DURATION_MS = 7 * UNIT_MS.d;

/** The duration syntax rules accept, for error messages. */
export const DURATION_SYNTAX = 'a number with a unit ms, s, m, h or d, e.g. 500ms, 10s, 1m30s';

/**
 * Parses `10s`, `1m30s`, `500ms` into milliseconds; undefined when the text is not a positive
 * duration. A bare number is rejected on purpose: `window: 10` is ambiguous (seconds? ms?).
 */
export function parseDuration(text: string): number | undefined {
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return text.length > 0 && total > 0 ? total : undefined;
}

/** The shortest readable form of a duration: 10000 -> `10s`, 90000 -> `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}
