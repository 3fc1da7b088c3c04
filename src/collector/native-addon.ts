import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/user-error';
import { packageRoot } from '../package-root';
import { OFFSET, RECORD_SIZE } from './record-layout';

/** The addon's surface (native/addon.cc). */
export interface NativeCollector {
  start(): { attached: string[]; missing: string[]; castReads: boolean };
  stop(): void;
  close(): void;
  stats(): NativeStats;
  setAggregateKeep(bits: number): void;
  /** Attaches the loaded programs of the bits (one per Tracepoint), detaches the others; the attached tracepoints' names. */
  setAttached(bits: number): string[];
}

/** Per-tracepoint arrays indexed by `Tracepoint` (native/collector.cc, Stats). */
export interface NativeStats {
  seen: number[];
  lost: number[];
  delivered: number[];
  aggregated: number[];
  aggregatedDelivered: number[];
  aggregates: number[];
  aggregateFull: number[];
  aggregating: boolean[];
  batches: number;
}

export interface NativeCollectorOptions {
  ringBytes: number;
  netns: number;
  probe: boolean;
  batchRecords: number;
  maxQueuedBatches: number;
  pollMs: number;
  aggregate: AggregateMode;
  aggregateAbove: number;
  aggregateHoldMs: number;
  /** KEEP bits (record-layout.ts). */
  aggregateKeep: number;
  aggregateSliceMs: number;
  aggregateMaxKeys: number;
  aggregateSlots: number;
  /** The loaded programs to attach at start: a bit per Tracepoint (kind-tracepoints.ts). */
  attach: number;
}

/** In-kernel aggregation: forced on, forced off, or switched by the record rate (docs/architecture.md). */
export type AggregateMode = 'auto' | 'on' | 'off';

export interface NativeAddon {
  Collector: new (options: NativeCollectorOptions, onBatch: (batch: Buffer | null) => void) => NativeCollector;
  btfEnum(name: string): Record<number, string> | null;
  mountTracefs(path: string): void;
  recordLayout: Record<string, number>;
}

const ADDON_PATH = join(packageRoot(), 'native', 'build', 'Release', 'tcpwarden.node');
const STATUS_PATH = join(packageRoot(), 'native', 'build-status.json');

let loaded: NativeAddon | undefined;

/** Why the addon is not there, as the install step recorded it. */
function buildFailure(): string {
  try {
    const status = JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as { ok: boolean; reason: string | null };
    if (!status.ok && status.reason) return status.reason;
  } catch {
    // no record of a build attempt
  }
  return "the native addon was not built: run 'npm rebuild tcpwarden' (needs clang, bpftool, libbpf-dev, g++, make)";
}

/** Loads the addon once and checks that it writes the record layout this decoder reads. */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) throw new UserError('COLLECTOR_UNAVAILABLE', `collector unavailable: ${buildFailure()}`);
  const addon = require(ADDON_PATH) as NativeAddon;
  const layout = addon.recordLayout;
  const mismatch = Object.entries(OFFSET).filter(([field, offset]) => layout[field] !== offset);
  if (layout.size !== RECORD_SIZE || mismatch.length > 0) {
    throw new UserError(
      'COLLECTOR_LAYOUT_MISMATCH',
      `the native addon's record layout differs from src/collector/record-layout.ts (${mismatch.map(([f]) => f).join(', ') || 'size'}): rebuild with 'npm rebuild tcpwarden'`,
    );
  }
  loaded = addon;
  return addon;
}
