import type { TcpEvent } from '../../src/interfaces/tcp-event';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { formatLoadResult } from '../../src/rules/load-result';
import { loadRuleTexts } from '../../src/rules/loader';

/** Compiles rule YAML held in a test; fails the test with the loader's messages if it is invalid. */
export function compile(yaml: string, file = 'test.yaml'): CompiledRule[] {
  const result = loadRuleTexts([{ file, text: yaml }]);
  if (!result.ok) throw new Error(`test rules invalid:\n${formatLoadResult(result)}`);
  return result.rules;
}

/** A round epoch time that every usual window length divides, so windows start at T0. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** An event with plausible defaults; override what the test is about. */
export function ev(fields: Partial<TcpEvent> & { kind: TcpEvent['kind']; ts: number }): TcpEvent {
  return { family: 4, laddr: '10.0.0.1', lport: 80, raddr: '192.0.2.1', rport: 40000, netns: 1, host: 'h1', ...fields };
}

/** `n` events spread evenly over [from, to) ms after T0, built by `make(i)`. */
export function spread(n: number, from: number, to: number, make: (i: number, ts: number) => TcpEvent): TcpEvent[] {
  const out: TcpEvent[] = [];
  for (let i = 0; i < n; i++) out.push(make(i, T0 + from + ((to - from) * i) / n));
  return out;
}

/** A one-rule file: rst_sent events grouped by raddr, firing at `count >= threshold`; `settings` are extra rule keys, one per line. */
export function resetRule(settings = '', threshold = 10): string {
  const extra = settings
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `    ${l}\n`)
    .join('');
  return `
rules:
  - id: resets
    name: Resets
    severity: high
    match: { all: [ { fact: kind, operator: equal, value: rst_sent } ] }
    group_by: [raddr]
    window: 10s
    when: { all: [ { fact: count, operator: greaterThanInclusive, value: ${threshold} } ] }
${extra}    summary: "{{count}} resets from {{raddr}}"
`;
}
