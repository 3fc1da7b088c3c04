/**
 * What the victim names cost the collector's decoder: RecordDecoder.decode on 2,048-record
 * batches of SYN-ACK retransmit records, without a names lookup, with one when the batch's records
 * come in runs of one namespace (a lookup per run), and with one when every record names another
 * of four namespaces than the one before (a lookup per record, the worst case). And what the four
 * name columns cost a batch read back from Redis (decodeBatch on 4,096 events, with and without
 * names on them).
 */
import { RecordDecoder, type RecordDecoderOptions } from '../src/collector/record-decoder';
import { Tracepoint } from '../src/collector/record-layout';
import type { TcpEvent } from '../src/interfaces/tcp-event';
import { decodeBatch, encodeBatch } from '../src/queue/batch-codec';
import type { EventNames } from '../src/victim/namespace-names';
import { buildRecord } from '../test/support/record-builder';
import type { Benchmark } from './benchmark';

const BATCH = 2048;
const ROUNDS = 2000;
const BASE = 4026532000;

function batch(netnsOf: (i: number) => number): Buffer {
  const records: Buffer[] = [];
  for (let i = 0; i < BATCH; i++) {
    records.push(buildRecord({ tracepoint: Tracepoint.RetransmitSynack, saddr: '10.0.0.1', daddr: `10.0.${(i >> 8) & 255}.${i & 255}`, sport: 443, dport: 1000 + i, netns: netnsOf(i), pid: 100 + (i % 7), comm: 'node' }));
  }
  return Buffer.concat(records);
}

/** Million events per second: the median of 5 timed runs after a warm-up. */
function rate(options: RecordDecoderOptions, records: Buffer): number {
  const decoder = new RecordDecoder(options);
  for (let i = 0; i < 200; i++) decoder.decode(records);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < ROUNDS / 5; i++) n += decoder.decode(records).length;
    runs.push(n / (Number(process.hrtime.bigint() - start) / 1e9) / 1e6);
  }
  return Number(runs.sort((a, b) => a - b)[2].toFixed(2));
}

/** decodeBatch: million events per second (median of 7) and wire bytes per event. */
function wire(names: EventNames): { meps: number; bytes: number } {
  const events: TcpEvent[] = [];
  for (let i = 0; i < 4096; i++) {
    events.push({ kind: 'synack_retransmit', ts: 1764062578000 + i, family: 4, laddr: '10.0.0.1', lport: 443, raddr: `10.1.${(i >> 8) & 255}.${i & 255}`, rport: 1000 + i, state: 'NEW_SYN_RECV', netns: BASE, sock: `ffff${i}`, pid: 100, comm: 'node', host: 'h1', ...names });
  }
  const bytes = encodeBatch({ id: 'p', partition: 0, createdAt: 1, lost: 0, collectorLost: 0, aggregatesLack: [], untraced: [], events });
  for (let i = 0; i < 50; i++) decodeBatch(bytes);
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) decodeBatch(bytes);
    runs.push((100 * events.length) / (Number(process.hrtime.bigint() - start) / 1e9) / 1e6);
  }
  return { meps: Number(runs.sort((a, b) => a - b)[3].toFixed(2)), bytes: Number((bytes.length / events.length).toFixed(1)) };
}

export const benchmark: Benchmark = {
  name: 'decode-names',
  description: 'RecordDecoder with and without the victim-names lookup (million events/s)',
  async run(log) {
    const names = new Map<number, EventNames>([[BASE, { netns_name: 'web', container: 'shop-api' }]]);
    const lookup = (n: number) => names.get(n);
    const runs = batch((i) => BASE + ((i >> 9) % 4));
    const alternating = batch((i) => BASE + (i % 4));
    const plain = { host: 'bench', resetReasons: {} };
    log('decoding 2,048-record batches...');
    const figures = {
      without_names_meps: rate(plain, runs),
      names_runs_of_one_netns_meps: rate({ ...plain, names: lookup }, runs),
      names_alternating_netns_meps: rate({ ...plain, names: lookup }, alternating),
    };
    log('decoding 4,096-event Redis batches...');
    const bare = wire({});
    const named = wire({ netns_name: 'web', container: 'shop-api' });
    return {
      ...figures,
      redis_decode_without_names_meps: bare.meps,
      redis_decode_with_names_meps: named.meps,
      redis_bytes_per_event_without_names: bare.bytes,
      redis_bytes_per_event_with_names: named.bytes,
    };
  },
};
