import type { TcpEvent } from '../interfaces/tcp-event';
import { DistinctCounter, type DistinctCounterState } from './distinct-counter';

/** How many events a window keeps per group for the alert's `samples`, and how many namespaces it lists. */
export const SAMPLES_PER_GROUP = 3;
export const NETNS_PER_GROUP = 8;

/** One group's figures in one window: what the rule's aggregates are computed from. */
export interface WindowAggregate {
  touched: boolean;
  group: Array<string | number>;
  count: number;
  /** One counter per entry of the rule's `distinctFields`, in that order. */
  distinct: DistinctCounter[];
  netns: number[];
  samples: TcpEvent[];
  host: string;
}

export interface WindowAggregateState {
  group: Array<string | number>;
  count: number;
  distinct: DistinctCounterState[];
  netns: number[];
  samples: TcpEvent[];
  host: string;
}

export function newWindowAggregate(group: Array<string | number>, distinctFields: number, exactLimit: number, host: string): WindowAggregate {
  const distinct: DistinctCounter[] = [];
  for (let i = 0; i < distinctFields; i++) distinct.push(new DistinctCounter(exactLimit));
  return { touched: false, group, count: 0, distinct, netns: [], samples: [], host };
}

/** Resets an evicted aggregate for a new group, keeping its arrays and counters. */
export function recycleWindowAggregate(agg: WindowAggregate, group: Array<string | number>, host: string): WindowAggregate {
  agg.touched = false;
  agg.group = group;
  agg.count = 0;
  for (const d of agg.distinct) d.reset();
  agg.netns.length = 0;
  agg.samples.length = 0;
  agg.host = host;
  return agg;
}

export function windowAggregateState(agg: WindowAggregate): WindowAggregateState {
  return { group: agg.group, count: agg.count, distinct: agg.distinct.map((d) => d.toState()), netns: agg.netns, samples: agg.samples, host: agg.host };
}

export function windowAggregateFromState(state: WindowAggregateState, exactLimit: number): WindowAggregate {
  return { ...state, touched: false, distinct: state.distinct.map((d) => DistinctCounter.fromState(d, exactLimit)) };
}
