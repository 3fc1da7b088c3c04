import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AlertDelivery } from '../alerts/alert-delivery';
import { createAlertDelivery } from '../alerts/create-alert-delivery';
import type { ValidAlertsConfig } from '../alerts/sink-config';
import { Collector, type AggregateKeepField } from '../collector/collector';
import { untracedKindsOf } from '../collector/kind-tracepoints';
import { enginePartitionState } from '../engine/engine-partition-state';
import { groupKeyOf } from '../engine/group-key';
import { sliceMsOf } from '../engine/sliding-window';
import { PartitionedEngine } from '../engine/partitioned-engine';
import { RuleReloader, type RuleHolder } from '../engine/rule-reloader';
import { UserError } from '../errors/user-error';
import type { Alert } from '../interfaces/alert';
import type { EventKind, TcpEvent } from '../interfaces/tcp-event';
import { Deadline } from '../lifecycle/deadline';
import { createLogger } from '../logging/create-logger';
import { Metrics } from '../metrics/metrics';
import { MetricsServer } from '../metrics/metrics-server';
import { packageRoot } from '../package-root';
import { BullmqConsumer } from '../queue/bullmq-consumer';
import { BullmqProducer } from '../queue/bullmq-producer';
import type { EventConsumer } from '../queue/consumer';
import type { EventBatch } from '../queue/event-batch';
import { MemoryTransport } from '../queue/memory-transport';
import type { EventProducer } from '../queue/producer';
import { RedisHealth } from '../queue/redis-health';
import type { ProducerOptions } from '../queue/transport-options';
import type { CompiledRule } from '../rules/compiled-rule';
import { formatDiagnostic } from '../rules/diagnostic';
import { formatLoadResult, type LoadResult } from '../rules/load-result';
import { loadRules } from '../rules/loader';
import { VictimResolver } from '../victim/victim-resolver';
import { aggregateKeepOf } from './aggregate-keep';
import { aggregateSliceMsOf, slicesFit } from './aggregate-slice';
import { AggregateSkip } from './aggregate-skip';
import { AggregatesLack } from './aggregates-lack';
import { checkedSource } from './checked-source';
import { collectorKindsOf } from './collector-kinds';
import { CollectorRules } from './collector-rules';
import type { DetectorOptions, DetectorRole } from './detector-options';
import { LossLedger, type LossStage } from './loss-ledger';
import { AggregateLedger } from './aggregate-ledger';
import { LossMonitor, type LossAlertOptions } from './loss-monitor';
import { StopReport } from './stop-report';
import { UntracedKinds } from './untraced-kinds';

export interface DetectorEvents {
  /** Every normalized event, as it enters the queue (computed only while someone listens). */
  event: [TcpEvent];
  /** Every alert the rules (or the built-in event-loss check) emit, before the sinks take it. */
  alert: [Alert];
  /** Events were lost at a stage of the pipeline. */
  loss: [{ stage: LossStage; events: number }];
  /** A failure the detector survives (a sink that could not queue an alert, Redis trouble). */
  error: [Error];
}

/** How long a stop takes at most by default: `tcpwarden run`'s promise (docs/operations.md). */
export const STOP_DEADLINE_MS = 10_000;
/**
 * A step that closes something forces its way out once the deadline has passed (disconnects,
 * aborts); this is the moment it gets to do so before the stop stops waiting for it.
 */
const FORCE_GRACE_MS = 1000;

/** The reason a start gives up when a stop comes first. */
class StartInterrupted extends Error {
  override readonly name = 'StartInterrupted';
}

/** How often slice boundaries are judged, and how long after one passes (see DetectorOptions.engine). */
export const DEFAULT_TICK_MS = 250;
export const DEFAULT_LATENESS_MS = 250;

const DEFAULT_LOSS: LossAlertOptions = { threshold: 1, windowMs: 10_000, cooldownMs: 60_000 };

/**
 * The detector: collector -> queue -> engine -> alerts, in one process or split into the
 * collector and engine roles around Redis. `createDetector(options)` builds one; `start()` runs
 * it until `stop()`. The `tcpwarden run` command is this plus flags, a config file and signals.
 */
export class Detector extends EventEmitter<DetectorEvents> {
  readonly metrics = new Metrics();
  readonly role: DetectorRole;
  readonly host: string;
  private readonly log: Logger;
  private rulePaths: string[];
  private engine?: PartitionedEngine;
  private reloader?: RuleReloader;
  private collector?: Collector;
  private producer?: EventProducer;
  private consumer?: EventConsumer;
  private delivery?: AlertDelivery;
  private metricsServer?: MetricsServer;
  private ledger: LossLedger;
  /** Events judged that came inside in-kernel aggregates, by time: each alert's `aggregated`. */
  private aggregates: AggregateLedger;
  private readonly lossOptions: LossAlertOptions;
  private lossMonitor?: LossMonitor;
  private victims?: VictimResolver;
  private ticker?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private sourceDone?: Promise<void>;
  /** Alerts a sink could not queue yet; handed over again on the next tick. */
  private undelivered: Alert[] = [];
  /** Event time of a non-kernel source, which drives its windows instead of the clock. */
  private sourceTime = -Infinity;
  private sourceRefusedLogged = false;
  /** The rules of the collector role, which keys its aggregates (and routes) by them. */
  private collectorRules?: CollectorRules;
  /** The rules the collector's aggregates were last keyed for. */
  private keptFor?: CompiledRule[];
  /** The tracepoints the collector has attached, for the log when the rules change them. */
  private attached: string[] = [];
  /** The collector's aggregation slice (ms), fixed at its start; rules loaded later whose slices it does not divide are logged once each. */
  private aggregateSliceMs = 0;
  private misfitLogged = new Set<string>();
  private aggregatesLack?: AggregatesLack;
  private readonly aggregateSkip: AggregateSkip;
  private readonly untracedKinds: UntracedKinds;
  private seen = { collectorLost: 0, queueDropped: 0, queueFailed: 0, engineLost: 0, ruleFailures: new Map<string, number>() };
  private started = false;
  private starting: Promise<void> = Promise.resolve();
  private startDone = false;
  private readonly startAbort = new AbortController();
  private stopping = false;
  private stopDeadline?: Deadline;
  private closing?: Promise<void>;
  /** The stop detached the collector and flushed the producer (so closing does not again). */
  private flushed = false;
  private report: StopReport;
  /** Alerts being handed to the sinks now. */
  private handing = 0;
  private redisHealth?: RedisHealth;
  private isReady = false;

  constructor(private readonly options: DetectorOptions = {}) {
    super();
    this.role = options.role ?? 'all';
    this.host = options.host ?? hostname();
    this.log = options.logger ?? createLogger();
    this.rulePaths = options.rules && options.rules.length > 0 ? options.rules : [join(packageRoot(), 'rules')];
    if (this.role !== 'all' && !options.redisUrl) {
      throw new UserError('DETECTOR_ROLE_NEEDS_REDIS', `role '${this.role}' exchanges events through Redis: give a Redis URL (--redis redis://HOST:PORT)`, 2);
    }
    if (this.role === 'engine' && options.source) {
      throw new UserError('DETECTOR_ROLE_SOURCE', "role 'engine' takes its events from Redis, not from a source", 2);
    }
    this.metrics.reportReadiness(this.role, () => this.ready);
    const loss = { ...DEFAULT_LOSS, ...options.loss };
    this.ledger = new LossLedger(Math.max(loss.windowMs, 600_000));
    this.aggregates = new AggregateLedger(600_000);
    this.aggregateSkip = new AggregateSkip(this.metrics.aggregatedSkipped, this.log);
    this.untracedKinds = new UntracedKinds(this.log);
    this.lossOptions = loss;
    this.report = new StopReport(this.log);
  }

  /** True once events flow and, for roles that judge, the rules are loaded; false while Redis is unreachable. */
  get ready(): boolean {
    return this.isReady && (this.redisHealth?.up ?? true);
  }

  /** The step a stop in progress waits for (empty before a stop): what a stop that overran was stuck on. */
  get stopStep(): string {
    return this.report.step;
  }

  /** The queue partitions this process judges now (all of them without Redis; none in the collector role). */
  ownedPartitions(): number[] {
    return this.role === 'collector' ? [] : (this.consumer?.ownership.owned() ?? []);
  }

  /** The rules running now (none in the collector role). */
  get rules(): string[] {
    return this.engine?.rules.map((r) => r.id) ?? [];
  }

  /** Rejects when the start fails, and also when stop() comes before it completed (then nothing stays open). */
  async start(): Promise<void> {
    if (this.started) throw new Error('a detector starts once');
    this.started = true;
    // Debug: a start that fails on a user's mistake prints that one line only.
    this.log.debug({ role: this.role }, 'detector starting');
    this.starting = this.startUp().finally(() => (this.startDone = true));
    await this.starting;
  }

  private async startUp(): Promise<void> {
    try {
      await this.open(this.startAbort.signal);
      this.startAbort.signal.throwIfAborted();
    } catch (err) {
      // Whatever opened before the failure (Redis clients, a server) must not keep the process up.
      await this.closeAll(this.stopDeadline ?? Deadline.after(STOP_DEADLINE_MS));
      throw err;
    }
    this.isReady = true;
    this.log.info({ role: this.role, rules: this.rules.length, host: this.host }, 'detector running');
  }

  /** `signal`: a stop came during the start; checked between the steps, and it cuts a Redis connection attempt short. */
  private async open(signal: AbortSignal): Promise<void> {
    const judge = this.role !== 'collector';
    const collect = this.role !== 'engine';
    const partitions = this.options.queue?.partitions ?? 1;
    // Every role loads the rules and follows their reloads: engines judge with them; collectors
    // key their in-kernel aggregates on the fields they need and, with partitions, route by them.
    const result = await loadRules(this.rulePaths);
    if (!result.ok) throw new UserError('RULES_INVALID', formatLoadResult(result), 2);
    for (const w of result.warnings) this.log.warn({ code: w.code }, formatDiagnostic(w));
    signal.throwIfAborted();
    if (judge) {
      const e = this.options.engine ?? {};
      this.engine = new PartitionedEngine(result.rules, partitions, {
        maxKeysPerRule: e.maxKeysPerRule,
        distinctExactLimit: e.distinctExactLimit,
        host: this.host,
      });
      this.lossMonitor = new LossMonitor(this.ledger, this.lossOptions, this.host);
    } else {
      this.collectorRules = new CollectorRules(result.rules, (rules) => this.followRules(rules));
    }
    this.reloader = new RuleReloader(this.rulePaths, this.ruleHolder, this.log);
    if (this.options.watchRules ?? true) this.reloader.watch();
    // The transport first: an unreachable Redis is reported before anything else connects to it.
    await this.openTransport(collect, judge, signal);
    signal.throwIfAborted();
    if (judge && this.options.alerts) this.delivery = this.createDelivery(this.options.alerts);
    if (this.options.metricsAddress) {
      this.metricsServer = new MetricsServer({ address: this.options.metricsAddress, metrics: this.metrics, ready: () => this.ready });
      const at = await this.metricsServer.listen();
      this.log.info({ address: `${at.host}:${at.port}` }, 'serving /metrics, /healthz and /readyz');
      signal.throwIfAborted();
    }
    if (judge) {
      // Each partition's windows live in their own engine, which moves with the partition.
      const state = enginePartitionState(this.engine!, {
        acquired: (partition, resumed) => this.log.info({ partition, resumed }, 'judging partition'),
        released: (partition) => this.log.info({ partition }, 'partition handed over'),
        unreadable: (partition, err) => this.log.error({ partition, err }, "the partition's saved state is unreadable: its open windows start empty"),
      });
      await this.consumer!.start((batch) => this.judgeBatch(batch), state);
      signal.throwIfAborted();
    }
    if (collect) this.startSource();
    // Alerts name their victim from this host's namespaces (the collector's directory when it has one).
    if (judge) this.victims = new VictimResolver({ host: this.host, directory: this.collector?.names });
    if (judge) {
      const tickMs = this.options.engine?.tickMs ?? DEFAULT_TICK_MS;
      this.ticker = setInterval(() => this.queueTick(), tickMs);
    } else if (this.collector) {
      // No engine here to judge loss: the ring buffer's loss travels to the engines with the events.
      this.ticker = setInterval(() => this.forwardCollectorLoss(), 1000);
    }
  }

  private createDelivery(alerts: ValidAlertsConfig): AlertDelivery {
    const deliveries = this.metrics.webhookDeliveries;
    const health = this.redisHealth;
    return createAlertDelivery(alerts, {
      logger: this.log,
      observer: {
        attempted: (job, _attempt, result) => deliveries.inc({ sink: job.sinkId, outcome: result.outcome }),
        deadLettered: (job) => deliveries.inc({ sink: job.sinkId, outcome: 'dead_letter' }),
        // The alert queue's connections fail with the rest while Redis is away: one slowing log for all.
        ...(health ? { connectionError: (err: unknown) => health.failed('alerts', err) } : {}),
      },
    });
  }

  /**
   * Replaces the sinks (a reloaded config): new alerts go to the new sinks at once; deliveries
   * already queued on the old ones finish (or are dead-lettered) before those close.
   */
  async replaceSinks(alerts: ValidAlertsConfig): Promise<void> {
    if (this.role === 'collector') throw new UserError('DETECTOR_NO_SINKS', "role 'collector' sends no alerts");
    const old = this.delivery;
    this.delivery = this.createDelivery(alerts);
    // Alerts still firing keep being re-sent to Alertmanager by the new sinks.
    if (old) this.delivery.adopt(old.firingAlerts());
    this.log.info({ sinks: alerts.sinks.map((s) => s.id) }, 'sinks replaced');
    if (old) {
      await old.drained();
      await old.close();
    }
  }

  /**
   * Reloads the rules (SIGHUP), from `paths` when given (a changed config) or the same paths: a
   * valid set replaces the rules, keeping the windows of unchanged rules; an invalid set is
   * rejected with its errors logged, and the running rules stay.
   */
  async reload(paths?: string[]): Promise<LoadResult> {
    if (!this.reloader) throw new UserError('DETECTOR_NO_RULES', 'the detector has not loaded its rules yet: reload once it started');
    if (paths && paths.join('\n') !== this.rulePaths.join('\n')) {
      const next = new RuleReloader(paths, this.ruleHolder, this.log);
      const result = await next.reload();
      if (!result.ok) {
        next.close();
        return result;
      }
      this.reloader.close();
      if (this.options.watchRules ?? true) next.watch();
      this.reloader = next;
      this.rulePaths = paths;
      return result;
    }
    return this.reloader.reload();
  }

  /**
   * Stops within `deadlineMs` (default STOP_DEADLINE_MS), whatever Redis, a webhook receiver or the
   * kernel do: detaches the collector, flushes the queue's batches, judges what arrived, commits
   * and hands the partitions back, and waits for alert deliveries in flight. Every step shares the
   * one deadline; a step not done by then is forced (disconnected, aborted), and what it left is
   * counted (events dropped as queue loss, batches left to the partition's next owner, deliveries
   * dead-lettered or left queued in Redis) and named in the stop's last log line. A stop during
   * start() interrupts the start, which closes what it opened.
   */
  async stop(deadlineMs = STOP_DEADLINE_MS): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    this.isReady = false;
    clearInterval(this.ticker);
    const deadline = (this.stopDeadline = Deadline.after(deadlineMs));
    const report = (this.report = new StopReport(this.log));
    if (!this.startDone) {
      // The start gives up at its next step (a Redis connection attempt at once) and closes what it opened.
      this.startAbort.abort(new StartInterrupted('stopped before the start completed'));
      // Its rejection (the interruption itself) is start()'s caller's to see.
      if (!(await report.wait('start', deadline, this.starting.catch(() => undefined)))) await this.closeAll(deadline);
      report.finish('detector stopped before its start completed', false);
      return;
    }
    const dropped = this.producer?.metrics().dropped ?? 0;
    if (this.collector) await report.wait('collector', deadline, this.collector.stop());
    if (this.collector && this.role === 'collector') this.forwardCollectorLoss();
    // A source that is still open (a live feed) is not waited for past the deadline.
    if (this.sourceDone) await report.wait('source', deadline, this.sourceDone);
    if (this.producer) {
      await report.wait('queue flush', Deadline.after(deadline.remaining() + FORCE_GRACE_MS), this.producer.close(deadline.remaining()));
      report.left.eventsDropped += this.producer.metrics().dropped - dropped;
      // The engine's final tick below counts the producer's drops in role all; a collector has no tick.
      if (this.role === 'collector') this.metrics.eventsLost.inc({ stage: 'queue' }, report.left.eventsDropped);
    }
    this.flushed = true;
    // Judge (and commit) what arrived before the partitions are handed back: their next owner, if
    // any, carries on from that commit.
    if (this.engine) {
      await report.wait(
        'judge',
        deadline,
        (async () => {
          await this.ticking;
          await this.tick();
        })(),
      );
      report.left.alertsNotHanded = this.undelivered.length + this.handing;
    }
    // With Redis away its deliveries cannot move: the attempts in flight here get the rest of the deadline in the close.
    if (this.delivery && (this.redisHealth?.up ?? true)) await report.wait('deliver', deadline, this.delivery.drained());
    await this.closeAll(deadline);
    report.finish('detector stopped', this.options.alerts?.delivery?.redisUrl !== undefined);
  }

  /**
   * Closes every part still open by `deadline` (each forces its way out once it passes): after a
   * stop's graceful steps, or a start that failed or was interrupted. Runs once.
   */
  private closeAll(deadline: Deadline): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.ticker);
      const report = this.report;
      const forced = Deadline.after(deadline.remaining() + FORCE_GRACE_MS);
      const step = (name: string, work: Promise<unknown> | undefined) => report.wait(name, forced, work);
      // After a start that failed or was interrupted: the collector, and the producer without a flush.
      if (!this.flushed) {
        if (this.collector) await step('collector', this.collector.stop());
        await step('queue flush', this.producer?.close(0));
      }
      if (this.consumer) await step('queue close', this.consumer.close(deadline.remaining()).then((n) => (report.left.batchesLeft += n)));
      this.reloader?.close();
      this.aggregatesLack?.close();
      if (this.delivery) await step('delivery close', this.delivery.close(deadline).then((n) => (report.left.deliveriesLeft += n)));
      await step('metrics server', this.metricsServer?.close());
    })();
    return this.closing;
  }

  private async openTransport(collect: boolean, judge: boolean, signal: AbortSignal): Promise<void> {
    const queue: ProducerOptions = { ...this.options.queue };
    // Each event goes to the partition of each of its groups, whichever worker owns it.
    if ((queue.partitions ?? 1) > 1) queue.keysOf = (e) => this.keysOf(e);
    const url = this.options.redisUrl;
    if (!url) {
      const memory = new MemoryTransport(queue);
      this.producer = memory.producer;
      this.consumer = memory;
    } else {
      const health = (this.redisHealth = new RedisHealth(this.log, (up) => this.metrics.redisUp.set(up ? 1 : 0)));
      this.metrics.registry.registerMetric(this.metrics.redisUp);
      if (collect) {
        const producer = (this.producer = await BullmqProducer.connect({ ...queue, url }, signal));
        health.watch(producer.connection, 'queue');
      }
      if (judge) {
        const consumer = (this.consumer = await BullmqConsumer.connect({ ...this.options.worker, url, partitions: queue.partitions }, signal));
        for (const c of consumer.connections) health.watch(c, 'queue');
      }
    }
  }

  /** What the rules are reloaded into: the engine, or in the collector role the collector's rules. */
  private get ruleHolder(): RuleHolder {
    return (this.engine ?? this.collectorRules)!;
  }

  /** The group keys of an event for the rules in force: the partitions it must reach. */
  private keysOf(event: TcpEvent): string[] {
    const keys: string[] = [];
    for (const rule of this.ruleHolder.rules) {
      const key = groupKeyOf(rule, event);
      if (key !== undefined && !keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  private judgeBatch(batch: EventBatch): void {
    const counts = new Map<string, number>();
    for (const e of batch.events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    for (const [kind, n] of counts) this.metrics.events.inc({ kind }, n);
    if (batch.lost > 0) this.lost('queue', batch.lost);
    // A collector-role process's ring loss, so this engine's event-loss alert covers that host too.
    if (batch.collectorLost > 0) this.lost('collector', batch.collectorLost);
    this.aggregates.record(batch.events);
    this.untracedKinds.check(this.engine!.rules, batch.untraced, batch.createdAt);
    const withoutAggregates = this.aggregateSkip.rulesFor(this.engine!.rules, batch.aggregatesLack, batch.events);
    this.engine!.push(batch.partition, batch.events, withoutAggregates);
  }

  private startSource(): void {
    const source = this.options.source;
    if (source) {
      this.sourceDone = (async () => {
        for await (const batch of checkedSource(source, (n, problem) => this.refusedFromSource(n, problem))) {
          for (const e of batch) if (e.ts > this.sourceTime) this.sourceTime = e.ts;
          this.ingest(batch);
        }
      })().catch((err: unknown) => {
        this.emit('error', err instanceof Error ? err : new Error(String(err)));
      });
      return;
    }
    const keep = this.aggregateKeep(this.ruleHolder.rules);
    this.aggregatesLack = new AggregatesLack(this.producer!);
    this.aggregatesLack.keep(keep);
    // The slice is the kernel's for as long as it runs: chosen once, for the rules loaded at start.
    const tickMs = this.options.engine?.tickMs ?? DEFAULT_TICK_MS;
    this.aggregateSliceMs = this.options.collector?.aggregateSliceMs ?? aggregateSliceMsOf(this.ruleHolder.rules, tickMs);
    const kinds = this.collectorKinds(this.ruleHolder.rules);
    this.collector = new Collector({ ...this.options.collector, host: this.host, aggregateKeep: keep, aggregateSliceMs: this.aggregateSliceMs, kinds });
    this.collector.on('events', (batch) => this.ingest(batch));
    const collector = this.collector;
    this.metrics.reportCollector(() => collector.stats());
    const started = this.collector.start();
    if (started.mountedTracefs) this.log.info({ path: started.mountedTracefs }, 'tracefs was not mounted: mounted it');
    for (const tp of started.missing) this.log.warn({ tracepoint: tp }, 'tracepoint not in this kernel: its events will be missing');
    this.attached = started.attached;
    this.producer!.setUntraced(untracedKindsOf(started.attached));
    this.log.info({ tracepoints: started.attached, aggregateSliceMs: this.aggregateSliceMs, castReads: started.castReads }, 'collector attached');
    this.checkSlicesFit(this.ruleHolder.rules, true);
  }

  /**
   * The rules changed: the collector keys its aggregates for them from its next time slice on, and
   * attaches the tracepoints their kinds come from (detaching the others) now.
   */
  private followRules(rules: CompiledRule[]): void {
    if (!this.collector) return;
    const keep = this.aggregateKeep(rules);
    this.collector.setAggregateKeep(keep);
    this.aggregatesLack!.keep(keep);
    this.checkSlicesFit(rules);
    let attached: string[];
    try {
      attached = this.collector.setKinds(this.collectorKinds(rules));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'attaching the tracepoints the rules need failed: their kinds stay missing');
      return;
    }
    if (attached.join() !== this.attached.join()) this.log.info({ tracepoints: attached }, 'collector attached the tracepoints the rules need');
    this.attached = attached;
    this.producer!.setUntraced(untracedKindsOf(attached));
  }

  /** The kinds the collector traces for `rules`, with those the options add. */
  private collectorKinds(rules: CompiledRule[]): EventKind[] | undefined {
    return collectorKindsOf(rules, this.options.collector?.kinds);
  }

  /**
   * Logs, once per rule, a rule whose window slices the collector's aggregation slice does not
   * divide: at start only a window that fits no slice of at least 100 ms (or any rule, for a slice
   * the embedding application set), after a reload any rule the slice chosen at start does not fit.
   */
  private checkSlicesFit(rules: readonly CompiledRule[], atStart = false): void {
    for (const rule of rules) {
      if (slicesFit(rule, this.aggregateSliceMs) || this.misfitLogged.has(rule.id)) continue;
      this.misfitLogged.add(rule.id);
      const remedy =
        this.options.collector?.aggregateSliceMs !== undefined
          ? 'leave the collector option aggregateSliceMs out, so the slice is chosen to fit the rules'
          : atStart
            ? 'a window of whole seconds avoids it'
            : 'restart tcpwarden to choose the slice for the rules now in force';
      this.log.warn(
        { rule: rule.id, sliceMs: sliceMsOf(rule.windowMs), aggregateSliceMs: this.aggregateSliceMs },
        `rule ${rule.id}'s window slices are not whole multiples of the in-kernel aggregation slice: under aggregation, the packets of an aggregation slice that straddles one of its slice ends count in the earlier one; ${remedy}`,
      );
    }
  }

  /** The fields in-kernel aggregates keep for `rules`, with those the options add. */
  private aggregateKeep(rules: CompiledRule[]): AggregateKeepField[] {
    this.keptFor = rules;
    const fields = new Set([...aggregateKeepOf(rules), ...(this.options.collector?.aggregateKeep ?? [])]);
    return [...fields];
  }

  /** Events of the source that break the event contract: lost before the queue (stage `collector`), logged once. */
  private refusedFromSource(events: number, problem: string): void {
    if (!this.sourceRefusedLogged) this.log.warn({ events, problem }, 'the event source yielded events that are not valid events: left out and counted as lost (stage collector)');
    this.sourceRefusedLogged = true;
    this.lost('collector', events);
  }

  private ingest(batch: readonly TcpEvent[]): void {
    if (this.listenerCount('event') > 0) for (const e of batch) this.emit('event', e);
    this.producer!.publish(batch);
  }

  private lost(stage: LossStage, events: number): void {
    if (events <= 0) return;
    this.ledger.record(stage, events, Date.now());
    this.metrics.eventsLost.inc({ stage }, events);
    this.emit('loss', { stage, events });
  }

  /** Ticks never overlap: a slow evaluation delays the next instead of racing it. */
  private queueTick(): void {
    this.ticking = this.ticking.then(() => this.tick()).catch((err: unknown) => {
      this.log.error({ err }, 'judging windows failed');
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
  }

  private async tick(): Promise<void> {
    const engine = this.engine!;
    this.countLoss();
    if (engine.rules !== this.keptFor) this.followRules(engine.rules);
    // Live, slice boundaries are judged on the wall clock, `lateness` after they pass (events still
    // in the ring buffer or the queue then count); a source's batches are judged on their own time.
    const lateness = this.options.engine?.latenessMs ?? DEFAULT_LATENESS_MS;
    // Live, a group may also fire inside the open slice, the moment its condition holds on the events in so far.
    const wall = Date.now();
    const now = this.options.source ? this.sourceTime : wall - lateness;
    const lookUntil = this.options.source ? undefined : wall;
    const end = this.metrics.ruleEvaluation.startTimer();
    // A partition whose previous owner's uncommitted batches are still coming back waits to be judged.
    const alerts = Number.isFinite(now) ? await engine.advance(now, (p) => this.consumer!.ready(p), lookUntil) : [];
    end();
    alerts.push(...this.lossMonitor!.check(Date.now()));
    const consumer = this.consumer?.metrics();
    if (consumer) this.metrics.queueLag.set(consumer.lagMs / 1000);
    const owned = this.consumer!.ownership.owned();
    const judged = owned.filter((p) => this.consumer!.ready(p)).length;
    this.metrics.partitions.set({ state: 'judged' }, judged);
    this.metrics.partitions.set({ state: 'waiting' }, owned.length - judged);
    const fresh = alerts.map((a) => this.withVictim(this.withAggregated(this.withUpstreamLoss(a))));
    for (const alert of fresh) {
      this.metrics.alerts.inc({ rule: alert.rule.id, severity: alert.rule.severity, status: alert.status });
      this.emit('alert', alert);
    }
    await this.dispatch([...this.undelivered.splice(0), ...fresh]);
    // After the alerts were handed on: a commit never records a judged window whose alerts could be lost.
    await this.consumer!.commit();
  }

  private forwardCollectorLoss(): void {
    const lost = this.collector!.stats().lost;
    const delta = lost - this.seen.collectorLost;
    this.seen.collectorLost = lost;
    if (delta <= 0) return;
    this.metrics.eventsLost.inc({ stage: 'collector' }, delta);
    this.emit('loss', { stage: 'collector', events: delta });
    this.log.warn({ lost: delta }, 'the kernel ring buffer overflowed: events lost, reported to the engines');
    this.producer!.reportCollectorLoss(delta);
  }

  /** Takes the counters of every stage and records what was lost since the last tick. */
  private countLoss(): void {
    const s = this.seen;
    if (this.collector) {
      const lost = this.collector.stats().lost;
      this.lost('collector', lost - s.collectorLost);
      s.collectorLost = lost;
    }
    if (this.producer && this.role === 'all') {
      const dropped = this.producer.metrics().dropped;
      this.lost('queue', dropped - s.queueDropped);
      s.queueDropped = dropped;
    }
    if (this.consumer) {
      const failed = this.consumer.metrics().failedEvents;
      this.lost('queue', failed - s.queueFailed);
      s.queueFailed = failed;
    }
    const stats = this.engine!.stats();
    const engineLost = stats.reduce((n, r) => n + r.evictedEvents + r.lateEvents, 0);
    this.lost('state', engineLost - s.engineLost);
    s.engineLost = engineLost;
    for (const r of stats) {
      const failed = r.failedBatches - (s.ruleFailures.get(r.ruleId) ?? 0);
      if (failed <= 0) continue;
      s.ruleFailures.set(r.ruleId, r.failedBatches);
      this.metrics.ruleFailures.inc({ rule: r.ruleId }, failed);
      this.log.error({ rule: r.ruleId, batches: failed }, 'a rule failed to count event batches: its counts miss them (the other rules counted them)');
    }
  }

  /** How many of the window's events of the rule's kinds came inside in-kernel aggregates. */
  private withAggregated(alert: Alert): Alert {
    const rule = this.engine?.rules.find((r) => r.id === alert.rule.id);
    if (!rule) return alert;
    const n = this.aggregates.between(alert.window.start, alert.window.end, rule.kinds);
    return n > 0 ? { ...alert, aggregated: n } : alert;
  }

  /** Adds the collector's and the queue's loss during the alert's window to the engine's own figure. */
  private withUpstreamLoss(alert: Alert): Alert {
    if (alert.rule.id === 'event-loss') return alert;
    const upstream = this.ledger.between(alert.window.start, alert.window.end);
    const stages = { ...alert.loss.stages };
    let events = alert.loss.events;
    for (const stage of ['collector', 'queue'] as const) {
      const n = upstream.stages[stage] ?? 0;
      if (n > 0) {
        stages[stage] = n;
        events += n;
      }
    }
    return { ...alert, loss: { events, stages } };
  }

  /** Names the alert's victim; an alert that cannot be named still goes out, without one. */
  private withVictim(alert: Alert): Alert {
    try {
      return this.victims!.name(alert);
    } catch (err) {
      this.log.warn({ alert: alert.id, err }, 'could not name the victim of an alert');
      return alert;
    }
  }

  /** Hands alerts to the sinks; one a sink could not queue is handed over again on the next tick. */
  private async dispatch(alerts: Alert[]): Promise<void> {
    if (!this.delivery) return;
    this.handing += alerts.length;
    for (const alert of alerts) {
      try {
        await this.delivery.dispatch(alert);
      } catch (err) {
        this.undelivered.push(alert);
        this.log.error({ alert: alert.id, code: (err as { code?: unknown }).code }, 'a sink could not queue the alert; retrying on the next tick');
      } finally {
        this.handing--;
      }
    }
  }
}
