import { isEventField, type TcpEvent } from '../interfaces/tcp-event';

/** The aggregates every rule has, with what they mean (docs and error messages use this). */
export const BASE_AGGREGATES = {
  count: 'events in the window',
  rate: 'events per second over the window',
} as const;

/** The aggregates a rule with a `baseline` setting also has. */
export const BASELINE_AGGREGATES = {
  baseline: "the mean count of the group's past windows, at least baseline.min_count",
  spike: 'count divided by baseline',
} as const;

export const DISTINCT_PREFIX = 'distinct.';

/** The event field a `distinct.<field>` aggregate counts, or undefined if `name` is not one. */
export function distinctField(name: string): keyof TcpEvent | undefined {
  if (!name.startsWith(DISTINCT_PREFIX)) return undefined;
  const field = name.slice(DISTINCT_PREFIX.length);
  return isEventField(field) ? field : undefined;
}

/** Whether `name` is an aggregate of every rule (count, rate); own properties only, as for event fields. */
export function isBaseAggregate(name: string): boolean {
  return Object.hasOwn(BASE_AGGREGATES, name);
}

/** Whether `name` is an aggregate of a rule with a baseline (baseline, spike). */
export function isBaselineAggregate(name: string): boolean {
  return Object.hasOwn(BASELINE_AGGREGATES, name);
}

/** Every aggregate name a rule may use, for "accepted:" in error messages. */
export function aggregateNames(withBaseline: boolean): string[] {
  return [
    ...Object.keys(BASE_AGGREGATES),
    `${DISTINCT_PREFIX}<field>`,
    ...(withBaseline ? Object.keys(BASELINE_AGGREGATES) : []),
  ];
}
