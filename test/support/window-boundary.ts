/**
 * Rules count in windows aligned to the epoch (a 10 s window runs from :00 to :10, ...). A burst
 * of traffic that straddles a boundary is split between two windows, and a threshold that one
 * window would cross may be crossed by neither. Tests that need a burst to land in one window
 * wait here until at least `needMs` of the current window is left.
 */
export async function roomInWindow(needMs: number, windowMs = 10_000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}
