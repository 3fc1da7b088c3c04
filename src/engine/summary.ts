import { formatDuration } from '../rules/duration';

/** Fills a rule's summary template: `{{name}}` from the group values and aggregates; numbers rounded for reading. */
export function renderSummary(template: string, values: Record<string, string | number>, windowMs: number): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) => {
    if (name === 'window') return formatDuration(windowMs);
    const v = values[name];
    if (v === undefined) return whole;
    return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v);
  });
}
