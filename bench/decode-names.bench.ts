/**
 * What the victim names cost the collector's decoder: RecordDecoder.decode on 2,048-record
 * batches of SYN-ACK retransmit records, without a names lookup, with one when the batch's records
 * come in runs of one namespace (a lookup per run), and with one when every record names another
 * of four namespaces than the one before (a lookup per record, the worst case).
 */
import { RecordDecoder, type RecordDecoderOptions } from '../src/collector/record-decoder';
import { Tracepoint } from '../src/collector/record-layout';
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
    return {
      without_names_meps: rate(plain, runs),
      names_runs_of_one_netns_meps: rate({ ...plain, names: lookup }, runs),
      names_alternating_netns_meps: rate({ ...plain, names: lookup }, alternating),
    };
  },
};
