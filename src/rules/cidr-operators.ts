import { Operator } from 'json-rules-engine';
import { cidrMatcher } from './cidr';

/**
 * `inCidr` / `notInCidr` as json-rules-engine operators, for engines that evaluate rule
 * conditions through json-rules-engine itself (the benchmark's per-event baseline, embedders).
 * The compiled `match` closures give them the same meaning.
 */
export function cidrOperators(): Operator[] {
  const cache = new Map<unknown, (a: unknown) => boolean>();
  const matcher = (value: unknown) => {
    let m = cache.get(value);
    if (!m) {
      m = cidrMatcher(Array.isArray(value) ? value : [value as string]);
      cache.set(value, m);
    }
    return m;
  };
  return [
    new Operator<unknown, unknown>('inCidr', (a, b) => matcher(b)(a)),
    new Operator<unknown, unknown>('notInCidr', (a, b) => !matcher(b)(a)),
  ];
}
