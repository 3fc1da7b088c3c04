/**
 * The operators conditions accept. They are json-rules-engine's own (same names, same meaning),
 * plus `inCidr`/`notInCidr` for address exceptions; `contains`/`doesNotContain` are left out
 * because every event field and aggregate is a scalar.
 */
const COMPARISON_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;

export const MEMBERSHIP_OPERATORS = ['in', 'notIn'] as const;
export const CIDR_OPERATORS = ['inCidr', 'notInCidr'] as const;
export const ORDER_OPERATORS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;

/** Operators allowed in `match` (event fields). */
export const MATCH_OPERATORS: readonly string[] = [...COMPARISON_OPERATORS, ...MEMBERSHIP_OPERATORS, ...CIDR_OPERATORS];
/** Operators allowed in `when` (numeric aggregates). */
export const WHEN_OPERATORS: readonly string[] = [...COMPARISON_OPERATORS, ...MEMBERSHIP_OPERATORS];

/** Event fields holding addresses, the only ones `inCidr`/`notInCidr` apply to. */
export const ADDRESS_FIELDS: readonly string[] = ['laddr', 'raddr'];
