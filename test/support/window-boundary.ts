/**
 * Rules judge their sliding windows at slice boundaries aligned to the epoch (every second for a
 * 10 s window). A burst that straddles a boundary is first judged with only its part before the
 * boundary, so the alert fires with a partial count (or at the next boundary). Tests that need a
 * burst judged whole wait here until at least `needMs` of the current period (by default a 10 s
 * window; pass a slice length to align on slices) is left.
 */
export async function roomInWindow(needMs: number, periodMs = 10_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}
