import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { UserError } from '../errors/user-error';
import type { EventKind, TcpEvent } from '../interfaces/tcp-event';
import { loadAddon, type AggregateMode, type NativeCollector, type NativeStats } from './native-addon';
import { attachBitsOf } from './kind-tracepoints';
import { preflight } from './preflight';
import { RecordDecoder } from './record-decoder';
import { SnmpSampler, type SnmpSamplerOptions } from './snmp-sampler';
import { KEEP, TRACEPOINT_COUNT, TRACEPOINT_NAMES, type Tracepoint } from './record-layout';
import { NetnsDirectory } from '../victim/netns-directory';

export interface CollectorOptions {
  /** Stamped on every event; defaults to os.hostname(). */
  host?: string;
  /** Ring buffer size in bytes: a power of two, at least 4096. Default 8 MiB (87,381 records). */
  ringBytes?: number;
  /** Only events of this network namespace (inode number, as `ls -Li /proc/PID/ns/net` shows); default all. */
  netns?: number;
  /** Also stream tcp:tcp_probe, which fires once per received segment. Default false. */
  probe?: boolean;
  /**
   * Attach only the tracepoints these kinds come from (every program is loaded, so setKinds() can
   * attach more later without a new load): a tracepoint no one reads costs every packet that fires
   * it. Default every kind; a detector traces the kinds its rules can match, with these added.
   */
  kinds?: readonly EventKind[];
  /** Records per batch handed to JavaScript. Default 2048. */
  batchRecords?: number;
  /** Batches that may wait for JavaScript before the drain thread stops reading the ring. Default 32. */
  maxQueuedBatches?: number;
  /**
   * How often the ring buffer is read, in ms: the longest a record waits there. Default 10. The
   * ring must hold this long's worth of events (8 MiB: 87,000 records, 87 ms at 1M events/s).
   */
  maxDelayMs?: number;
  /**
   * How often the kernel's SYN-cookie and listen-drop counters are sampled into `syncookies_sent`
   * and `syn_dropped` events, in ms.
   * Default 1000; 0 turns sampling off.
   */
  snmpIntervalMs?: number;
  /**
   * Where events get their victim names (netns_name, container, pod, service): this host's
   * namespace directory, refreshed in the background while the collector runs. Default a new
   * one; `false` leaves the names out.
   */
  names?: NetnsDirectory | false;
  /**
   * In-kernel aggregation (docs/architecture.md, "Aggregation under load"): `auto` (default)
   * counts a tracepoint's packets per key in the kernel while its rate is at least
   * `aggregateAbove` records/s, until it stays under half of that for `aggregateHoldMs`; `on` and
   * `off` force it. An aggregate is one event whose `value` is its count.
   */
  aggregate?: AggregateMode;
  /** Records per second of one tracepoint that switch aggregation on in `auto`. Default 20,000. */
  aggregateAbove?: number;
  /** How long the rate must stay under half the threshold before `auto` switches off, in ms. Default 3000. */
  aggregateHoldMs?: number;
  /**
   * The per-packet fields an aggregate keeps in its key; the others are left out (rport 0, no
   * sock, pid, comm): the detector keeps the ones its rules use. Default none.
   */
  aggregateKeep?: AggregateKeepField[];
  /** Keys one aggregation map holds per time slice; a packet of a key past that is a full record. Default 16,384. */
  aggregateMaxKeys?: number;
  /**
   * The aggregation time slice in ms, aligned to its multiples on the wall clock: an aggregate
   * holds one key's packets of one slice. A whole number of ms, at least 100 (the default). The
   * detector picks it from its rules (src/detector/aggregate-slice.ts).
   */
  aggregateSliceMs?: number;
  /**
   * Slots per CPU in the table the kernel tries before the aggregation map, a power of two; a key
   * whose slot another key holds goes on to the map. Default 4,096.
   */
  aggregateSlots?: number;
}

/** The per-packet fields an aggregate can keep in its key. */
export type AggregateKeepField = 'rport' | 'sock' | 'pid' | 'comm';
export const AGGREGATE_KEEP_FIELDS: readonly AggregateKeepField[] = ['rport', 'sock', 'pid', 'comm'];

export interface TracepointStats {
  tracepoint: string;
  /** Records that passed the kernel-side filters. */
  seen: number;
  /** Records handed to JavaScript. */
  delivered: number;
  /** Records dropped because the ring buffer was full: seen = delivered + aggregated + lost once stopped. */
  lost: number;
  /** Packets the kernel counted into aggregates instead of writing records. */
  aggregated: number;
  /** Packets handed to JavaScript inside aggregates (their `value`s): equals `aggregated` once stopped. */
  aggregatedDelivered: number;
  /** Aggregate records handed to JavaScript. */
  aggregates: number;
  /** Records written in full while aggregating because the aggregation map was full (in `delivered`). */
  aggregateFull: number;
  /** Whether the kernel aggregates this tracepoint now. */
  aggregating: boolean;
}

export interface CollectorStats {
  seen: number;
  delivered: number;
  lost: number;
  aggregated: number;
  batches: number;
  tracepoints: TracepointStats[];
}

export interface CollectorStart {
  attached: string[];
  /** Tracepoints this kernel does not have: reported, not fatal. */
  missing: string[];
  /** Whether the BPF programs read kernel memory with plain loads (6.2+) rather than probe reads (bpf/compat.bpf.h). */
  castReads: boolean;
  /** Where the collector mounted tracefs because it was not mounted (say so: it outlives the collector). */
  mountedTracefs?: string;
}

export interface CollectorEvents {
  /**
   * One decoded batch, in ring-buffer order, or a batch of counter samples.
   * Decoding happens only while someone listens.
   */
  events: [TcpEvent[]];
  /** The raw records of one batch (RECORD_SIZE bytes each), before decoding. */
  records: [Buffer];
  /** After stop(): everything the kernel produced before detaching has been delivered. */
  end: [CollectorStats];
}

/** The defaults of CollectorOptions (the run config applies the same ones). */
export const COLLECTOR_DEFAULTS = {
  ringBytes: 8 << 20,
  batchRecords: 2048,
  maxQueuedBatches: 32,
  maxDelayMs: 10,
  snmpIntervalMs: 1000,
  aggregate: 'auto' as AggregateMode,
  aggregateAbove: 20000,
  aggregateHoldMs: 3000,
  aggregateMaxKeys: 16384,
  aggregateSlots: 4096,
  /** The aggregation time slice, and the shortest allowed: every engine window slice is a whole multiple of it. */
  aggregateSliceMs: 100,
};

/**
 * The eBPF collector: kernel TCP tracepoints to normalized events. The BPF program and the
 * ring-buffer thread live in the native addon; this class checks the machine, decodes batches
 * and exposes them as events or as an async iterator of batches.
 */
export class Collector extends EventEmitter<CollectorEvents> {
  private native?: NativeCollector;
  private decoder?: RecordDecoder;
  private ended?: Promise<CollectorStats>;
  private final?: CollectorStats;
  private sampler?: SnmpSampler;
  private sampling?: NodeJS.Timeout;
  /** This host's network namespaces and their names (undefined with `names: false`). */
  readonly names?: NetnsDirectory;

  constructor(private readonly options: CollectorOptions = {}) {
    super();
    if (options.names !== false) this.names = options.names ?? new NetnsDirectory();
    const ring = options.ringBytes ?? COLLECTOR_DEFAULTS.ringBytes;
    if (!Number.isInteger(ring) || ring < 4096 || (ring & (ring - 1)) !== 0) {
      throw new UserError('COLLECTOR_OPTION_INVALID', `ring buffer size ${ring} is not a power of two of at least 4096 bytes`);
    }
    const slice = options.aggregateSliceMs ?? COLLECTOR_DEFAULTS.aggregateSliceMs;
    if (!Number.isInteger(slice) || slice < COLLECTOR_DEFAULTS.aggregateSliceMs) {
      throw new UserError('COLLECTOR_OPTION_INVALID', `aggregation slice ${slice} ms is not a whole number of ms of at least ${COLLECTOR_DEFAULTS.aggregateSliceMs}: give one, or leave aggregateSliceMs out for ${COLLECTOR_DEFAULTS.aggregateSliceMs} ms`);
    }
  }

  /** Loads and attaches the BPF program. Throws a UserError saying what to do when it cannot. */
  start(): CollectorStart {
    if (this.native) throw new Error('collector already started');
    const { mountedTracefs } = preflight();
    const addon = loadAddon();
    const host = this.options.host ?? hostname();
    const names = this.names;
    const lookup = names && ((netns: number) => names.get(netns)?.event);
    this.decoder = new RecordDecoder({ host, resetReasons: addon.btfEnum('sk_rst_reason') ?? {}, names: lookup });
    const ringBytes = this.options.ringBytes ?? COLLECTOR_DEFAULTS.ringBytes;
    let resolveEnd: (s: CollectorStats) => void = () => undefined;
    this.ended = new Promise((resolve) => (resolveEnd = resolve));
    const native = new addon.Collector(
      {
        ringBytes,
        netns: this.options.netns ?? 0,
        probe: this.options.probe ?? false,
        batchRecords: this.options.batchRecords ?? COLLECTOR_DEFAULTS.batchRecords,
        maxQueuedBatches: this.options.maxQueuedBatches ?? COLLECTOR_DEFAULTS.maxQueuedBatches,
        pollMs: this.options.maxDelayMs ?? COLLECTOR_DEFAULTS.maxDelayMs,
        aggregate: this.options.aggregate ?? COLLECTOR_DEFAULTS.aggregate,
        aggregateAbove: this.options.aggregateAbove ?? COLLECTOR_DEFAULTS.aggregateAbove,
        aggregateHoldMs: this.options.aggregateHoldMs ?? COLLECTOR_DEFAULTS.aggregateHoldMs,
        aggregateKeep: keepBits(this.options.aggregateKeep ?? []),
        aggregateSliceMs: this.options.aggregateSliceMs ?? COLLECTOR_DEFAULTS.aggregateSliceMs,
        aggregateMaxKeys: this.options.aggregateMaxKeys ?? COLLECTOR_DEFAULTS.aggregateMaxKeys,
        aggregateSlots: this.options.aggregateSlots ?? COLLECTOR_DEFAULTS.aggregateSlots,
        attach: attachBitsOf(this.options.kinds),
      },
      (batch) => {
        if (batch === null) {
          native.close();
          this.stopSampling();
          this.names?.stop();
          this.final = this.stats();
          this.emit('end', this.final);
          resolveEnd(this.final);
          return;
        }
        this.emit('records', batch);
        if (this.listenerCount('events') > 0) this.emit('events', this.decoder!.decode(batch));
      },
    );
    try {
      const started = native.start();
      this.native = native;
      this.names?.start();
      this.startSampling(host, lookup);
      return { ...started, mountedTracefs };
    } catch (err) {
      native.close();
      throw startError(err);
    }
  }

  private startSampling(host: string, names: SnmpSamplerOptions['names']): void {
    const interval = this.options.snmpIntervalMs ?? COLLECTOR_DEFAULTS.snmpIntervalMs;
    if (interval <= 0) return;
    const sampler = new SnmpSampler({ host, netns: this.options.netns, names });
    sampler.sample(); // the baseline
    this.sampler = sampler;
    this.sampling = setInterval(() => this.emitSamples(), interval);
    this.sampling.unref();
  }

  private emitSamples(): void {
    const samples = this.sampler?.sample() ?? [];
    if (samples.length > 0) this.emit('events', samples);
  }

  /** A last sample, so cookies sent and SYNs dropped up to the stop are counted. */
  private stopSampling(): void {
    if (!this.sampling) return;
    clearInterval(this.sampling);
    this.sampling = undefined;
    this.emitSamples();
  }

  /** Detaches, delivers what the ring still holds, and resolves with the final counters. */
  async stop(): Promise<CollectorStats> {
    if (!this.native || !this.ended) throw new Error('collector not started');
    this.native.stop();
    return this.ended;
  }

  /**
   * Attaches the tracepoints `kinds` come from (every kind when undefined) and detaches the
   * others, from now on; returns the attached tracepoints. Nothing changes once stopping.
   */
  setKinds(kinds: readonly EventKind[] | undefined): string[] {
    return this.native?.setAttached(attachBitsOf(kinds)) ?? [];
  }

  /** The per-packet fields aggregates keep from the next time slice on (the rules changed). */
  setAggregateKeep(fields: AggregateKeepField[]): void {
    this.native?.setAggregateKeep(keepBits(fields));
  }

  stats(): CollectorStats {
    if (this.final) return this.final;
    const raw: Partial<NativeStats> = this.native ? this.native.stats() : {};
    const tracepoints: TracepointStats[] = [];
    for (let tp = 0; tp < TRACEPOINT_COUNT; tp++) {
      tracepoints.push({
        tracepoint: TRACEPOINT_NAMES[tp as Tracepoint],
        seen: raw.seen?.[tp] ?? 0,
        delivered: raw.delivered?.[tp] ?? 0,
        lost: raw.lost?.[tp] ?? 0,
        aggregated: raw.aggregated?.[tp] ?? 0,
        aggregatedDelivered: raw.aggregatedDelivered?.[tp] ?? 0,
        aggregates: raw.aggregates?.[tp] ?? 0,
        aggregateFull: raw.aggregateFull?.[tp] ?? 0,
        aggregating: raw.aggregating?.[tp] ?? false,
      });
    }
    const sum = (k: 'seen' | 'delivered' | 'lost' | 'aggregated') => tracepoints.reduce((n, t) => n + t[k], 0);
    return { seen: sum('seen'), delivered: sum('delivered'), lost: sum('lost'), aggregated: sum('aggregated'), batches: raw.batches ?? 0, tracepoints };
  }

  /** `for await (const batch of collector)`: decoded batches until stop(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<TcpEvent[]> {
    const queue: TcpEvent[][] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const onEvents = (batch: TcpEvent[]) => (queue.push(batch), wake?.());
    const onEnd = () => ((done = true), wake?.());
    this.on('events', onEvents);
    this.once('end', onEnd);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      this.off('events', onEvents);
      this.off('end', onEnd);
    }
  }
}

function keepBits(fields: AggregateKeepField[]): number {
  let bits = 0;
  for (const f of fields) bits |= f === 'rport' ? KEEP.rport : f === 'sock' ? KEEP.sock : KEEP.task;
  return bits;
}

function startError(err: unknown): Error {
  const e = err as Error & { code?: string };
  // EPERM is a missing privilege; EACCES comes from the verifier rejecting a program.
  if (e.code === 'EPERM') {
    return new UserError('COLLECTOR_NO_PRIVILEGE', `${e.message.split('\n')[0]}: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON)`);
  }
  return new UserError('COLLECTOR_START_FAILED', e.message);
}
