import { Operator } from 'json-rules-engine';
import { cidrMatcher } from './cidr';

/**
 * `inCidr` / `notInCidr` as json-rules-engine operators, for engines that evaluate rule
 * conditions through json-rules-engine itself (the benchmark's per-event baseline, embedders).
 * The compiled `match` closures give them the same meaning.
 */
export function cidrOperators(): Operator[] {
  // json-rules-engine hands operators a fresh copy of the condition's value on every run, so the
  // compiled matchers are cached by the value's text.
  const cache = new Map<string, (a: unknown) => boolean>();
  const matcher = (value: unknown) => {
    const key = JSON.stringify(value);
    let m = cache.get(key);
    if (!m) {
      m = cidrMatcher(Array.isArray(value) ? value : [value as string]);
      cache.set(key, m);
    }
    return m;
  };
  return [
    new Operator<unknown, unknown>('inCidr', (a, b) => matcher(b)(a)),
    new Operator<unknown, unknown>('notInCidr', (a, b) => !matcher(b)(a)),
  ];
}
