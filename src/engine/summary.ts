import { formatDuration } from '../rules/duration';

/** Fills a rule's summary template: `{{name}}` from the group values and aggregates; numbers rounded for reading. */
export function renderSummary(template: string, values: Record<string, string | number>, windowMs: number): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) => {
    if (name === 'window') return formatDuration(windowMs);
    // Own properties only: `{{constructor}}` must not print Object's constructor.
    if (!Object.hasOwn(values, name)) return whole;
    const v = values[name];
    return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v);
  });
}
