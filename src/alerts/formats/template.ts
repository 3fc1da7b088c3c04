import type { Alert } from '../../interfaces/alert';
import { PLACEHOLDER } from '../template-paths';
import type { RenderedBody } from './rendered-body';

/** Reads a dotted path through own properties only: no prototype, no getters run, no code. */
function readPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * `source` with each `{{field.path}}` replaced by that alert field, through `encode`: objects and
 * arrays as JSON text, scalars as strings; a missing field gives an empty string.
 */
export function fillPlaceholders(alert: Alert, source: string, encode: (value: string, isObject: boolean) => string): string {
  return source.replace(PLACEHOLDER, (_m, path: string) => {
    const value = readPath(alert, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? encode(JSON.stringify(value), true) : encode(String(value), false);
  });
}

/**
 * The user's template with each `{{field.path}}` replaced by that alert field. For a JSON content
 * type each scalar is JSON-string-escaped (write `"{{summary}}"`), so alert data cannot break out
 * of the string it sits in; objects and arrays are inserted as JSON text (write `{{aggregates}}`).
 */
export function template(alert: Alert, source: string, contentType = 'application/json'): RenderedBody {
  const json = /\bjson\b/i.test(contentType);
  // Objects and arrays go in as JSON text (write them unquoted); scalars as string content.
  const body = fillPlaceholders(alert, source, (value, isObject) => (json && !isObject ? JSON.stringify(value).slice(1, -1) : value));
  return { body, contentType };
}
