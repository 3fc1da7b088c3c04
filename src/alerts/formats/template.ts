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
 * The user's template with each `{{field.path}}` replaced by that alert field. For a JSON content
 * type each scalar is JSON-string-escaped (write `"{{summary}}"`), so alert data cannot break out
 * of the string it sits in; objects and arrays are inserted as JSON text (write `{{aggregates}}`).
 */
export function template(alert: Alert, source: string, contentType = 'application/json'): RenderedBody {
  const json = /\bjson\b/i.test(contentType);
  const body = source.replace(PLACEHOLDER, (_m, path: string) => {
    const value = readPath(alert, path);
    if (value === undefined || value === null) return '';
    // Objects and arrays go in as JSON text (write them unquoted); scalars as string content.
    if (typeof value === 'object') return JSON.stringify(value);
    return json ? JSON.stringify(String(value)).slice(1, -1) : String(value);
  });
  return { body, contentType };
}
