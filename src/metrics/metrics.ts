import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CollectorStats } from '../collector/collector';

/**
 * How often the event-loop delay histogram samples. prom-client's default, 10 ms, is a timer that
 * woke the process 100 times a second, idle or not (docs/benchmarks.md, "Idle").
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * tcpwarden's Prometheus metrics, named by Prometheus conventions (snake_case, `_total` for
 * counters, base units). One registry per detector, so an embedding application's own metrics
 * and several detectors in one process never collide.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Normalized events that entered the pipeline, by kind. */
  readonly events = new Counter({
    name: 'tcpwarden_events_total',
    help: 'TCP events received by the pipeline, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  /** Events lost, by where: `collector` (kernel ring buffer), `queue` (producer buffer), `state` (engine limits). */
  readonly eventsLost = new Counter({
    name: 'tcpwarden_events_lost_total',
    help: 'TCP events lost before the rules saw them, by pipeline stage',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  /** Batches a rule could not count (a bug, not input: the validator refuses what would fail); the other rules counted them. */
  readonly ruleFailures = new Counter({
    name: 'tcpwarden_rule_failures_total',
    help: 'Event batches a rule failed to count (its counts miss them), by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  /** Aggregated events a rule left out because their aggregates lack a field it needs (the collector's rules are older): see AggregateSkip. */
  readonly aggregatedSkipped = new Counter({
    name: 'tcpwarden_aggregated_events_skipped_total',
    help: "Events in in-kernel aggregates a rule left out of its counts because the aggregates lack a field it needs (reload the collector's rules), by rule and field",
    labelNames: ['rule', 'field'] as const,
    registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'tcpwarden_alerts_total',
    help: 'Alerts emitted, by rule, severity and status (firing, resolved)',
    labelNames: ['rule', 'severity', 'status'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'tcpwarden_webhook_deliveries_total',
    help: 'Webhook delivery attempts by sink and outcome (delivered, retry, reject), and dead letters (dead_letter)',
    labelNames: ['sink', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly queueLag = new Gauge({
    name: 'tcpwarden_queue_lag_seconds',
    help: 'Age of the oldest event batch waiting in the queue',
    registers: [this.registry],
  });

  readonly partitions = new Gauge({
    name: 'tcpwarden_partitions',
    help: "Queue partitions this engine owns: judged, or waiting for batches a previous owner took and never committed",
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** What /readyz says, for alerting rules: read from the detector at each scrape. */
  readonly ready = new Gauge({
    name: 'tcpwarden_ready',
    help: 'Whether this process is ready (1) or not (0): events flowing and, for roles that judge, rules loaded; by role (all, collector, engine)',
    labelNames: ['role'] as const,
    registers: [this.registry],
    collect: () => {
      if (this.readiness) this.ready.set({ role: this.readiness.role }, this.readiness.check() ? 1 : 0);
    },
  });

  private readiness?: { role: string; check: () => boolean };

  /**
   * The kernel collector's per-tracepoint ledger (docs/events.md, "Loss"): seen = delivered +
   * aggregated + lost. Read from the collector at each scrape; absent without a collector.
   */
  readonly collectorRecords = new Counter({
    name: 'tcpwarden_collector_records_total',
    help: 'Kernel tracepoint records by outcome: seen (passed the filters) = delivered (full records) + aggregated (counted in in-kernel aggregates) + lost (ring buffer full)',
    labelNames: ['tracepoint', 'outcome'] as const,
    registers: [this.registry],
    collect: () => {
      const stats = this.collectorStats?.();
      if (!stats) return;
      this.collectorRecords.reset();
      this.collectorAggregating.reset();
      for (const t of stats.tracepoints) {
        for (const outcome of ['seen', 'delivered', 'aggregated', 'lost'] as const) this.collectorRecords.inc({ tracepoint: t.tracepoint, outcome }, t[outcome]);
        this.collectorAggregating.set({ tracepoint: t.tracepoint }, t.aggregating ? 1 : 0);
      }
    },
  });

  /** Set with tcpwarden_collector_records_total. */
  readonly collectorAggregating = new Gauge({
    name: 'tcpwarden_collector_aggregating',
    help: 'Whether the kernel aggregates this tracepoint now (1): under load, one event per key and 100 ms with value = its packets',
    labelNames: ['tracepoint'] as const,
    registers: [this.registry],
  });

  private collectorStats?: () => CollectorStats;

  readonly ruleEvaluation = new Histogram({
    name: 'tcpwarden_rule_evaluation_seconds',
    help: 'Time to evaluate the rules for one window step',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });

  /** Registered only by processes that use Redis (see Detector): 1 while every connection to it is ready. */
  readonly redisUp = new Gauge({
    name: 'tcpwarden_redis_up',
    help: "Whether this process's connections to Redis are up (1) or reconnecting (0)",
    registers: [],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // The process's own CPU, memory and event-loop figures, prefixed so they group with ours.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'tcpwarden_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  /** Where tcpwarden_ready reads from: the detector's role and readiness. */
  reportReadiness(role: string, check: () => boolean): void {
    this.readiness = { role, check };
  }

  /** Where tcpwarden_collector_* read from. */
  reportCollector(stats: () => CollectorStats): void {
    this.collectorStats = stats;
  }

  /** The exposition text for a scrape. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
