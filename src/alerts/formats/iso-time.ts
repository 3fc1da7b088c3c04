/** Epoch milliseconds as RFC 3339 UTC, the form Alertmanager and most receivers parse. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
