/**
 * Events through Redis end to end (producer -> BullMQ -> consumer handler), with tcpwarden's
 * batching, beside one BullMQ job per event in the same run, on a redis-server of its own.
 * The counting handler measures the transport; the engine run puts the rules engine (27 rules)
 * behind it, committing its partition state every second as an engine worker does.
 */
import { Queue, Worker } from 'bullmq';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { enginePartitionState } from '../src/engine/engine-partition-state';
import { PartitionedEngine } from '../src/engine/partitioned-engine';
import type { TcpEvent } from '../src/interfaces/tcp-event';
import { BullmqProducer } from '../src/queue/bullmq-producer';
import { startRedis } from '../test/support/redis-server';
import { tcpEvents } from '../test/support/tcp-events';
import { allRules } from './bench-rules';
import type { Benchmark, Figures } from './benchmark';
import { countingConsumer } from './counting-consumer';
import { engineConsumer } from './engine-consumer';

const BATCHED_EVENTS = 2_000_000;
/** The steady rate, below saturation, at which queue lag is measured, and for how long. */
const PACED_RATE = 250_000;
const PACED_SECONDS = 4;
const PER_JOB_EVENTS = 30_000;
const CHUNK = 1000;

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

/** A collector publishing BATCHED_EVENTS as fast as it can without outrunning its buffer, so the figure is throughput, not loss. */
async function publishAll(producer: BullmqProducer, sample: TcpEvent[] = tcpEvents(0, 10_000)): Promise<void> {
  let published = 0;
  while (published < BATCHED_EVENTS) {
    if (producer.metrics().buffered > 50_000) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    producer.publish(sample.slice(published % sample.length, (published % sample.length) + CHUNK));
    published += CHUNK;
    await new Promise((r) => setImmediate(r));
  }
  await producer.flush();
}

async function batched(url: string, log: (line: string) => void): Promise<Figures> {
  const { consumer, lags, received } = await countingConsumer(url);
  const producer = await BullmqProducer.connect({ url });
  const started = Date.now();
  await publishAll(producer);
  while (received() < BATCHED_EVENTS) await new Promise((r) => setTimeout(r, 2));
  const seconds = (Date.now() - started) / 1000;
  lags.sort((a, b) => a - b);
  log(`batched: ${BATCHED_EVENTS} events in ${seconds.toFixed(2)} s`);
  const p = producer.metrics();
  await producer.close();
  await consumer.close();
  return {
    'batched events/s': Math.round(BATCHED_EVENTS / seconds),
    'batched batches': p.sentBatches,
    'batched dropped': p.dropped,
    // At saturation the producer outruns the consumer, so this lag is the backlog in Redis; see the paced figures.
    'batched queue lag p50 ms': quantile(lags, 0.5),
    'batched queue lag p99 ms': quantile(lags, 0.99),
    'batched queue lag max ms': lags[lags.length - 1] ?? 0,
  };
}

/** Queue lag when the collector publishes at a steady rate the pipeline can carry: linger plus transport, without a backlog. */
async function paced(url: string, log: (line: string) => void): Promise<Figures> {
  const { consumer, lags, received } = await countingConsumer(url);
  const producer = await BullmqProducer.connect({ url });
  const sample = tcpEvents(0, 10_000);
  const tickMs = 10;
  const perTick = (PACED_RATE * tickMs) / 1000;
  const started = Date.now();
  let published = 0;
  while (Date.now() - started < PACED_SECONDS * 1000) {
    // Catch up to the schedule, so a late timer does not lower the rate.
    const due = Math.floor(((Date.now() - started) / tickMs) * perTick);
    while (published < due) {
      producer.publish(sample.slice(published % sample.length, (published % sample.length) + CHUNK));
      published += CHUNK;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await producer.flush();
  while (received() < published) await new Promise((r) => setTimeout(r, 2));
  lags.sort((a, b) => a - b);
  log(`paced: ${published} events at ${PACED_RATE}/s`);
  const dropped = producer.metrics().dropped;
  await producer.close();
  await consumer.close();
  return {
    'paced rate events/s': PACED_RATE,
    'paced dropped': dropped,
    'paced queue lag p50 ms': quantile(lags, 0.5),
    'paced queue lag p99 ms': quantile(lags, 0.99),
    'paced queue lag max ms': lags[lags.length - 1] ?? 0,
  };
}

/**
 * The same run with the consumer in a process of its own, as collectors and engines are deployed
 * on Redis: counting (`transport`) or with the rules engine (`engine`).
 */
async function twoProcesses(url: string, log: (line: string) => void, kind: 'transport' | 'engine'): Promise<Figures> {
  await flushRedis(url);
  const child = fork(join(__dirname, 'queue-consumer-process.js'), [url, String(BATCHED_EVENTS), kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const message = (key: string) => new Promise<Record<string, unknown>>((resolve) => child.on('message', (m: Record<string, unknown>) => key in m && resolve(m)));
  const ready = message('ready');
  const done = message('done');
  await ready;
  const producer = await BullmqProducer.connect({ url });
  const started = Date.now();
  await publishAll(producer);
  const result = await done;
  const seconds = ((result.done as number) - started) / 1000;
  const lags = (result.lags as number[]).sort((a, b) => a - b);
  log(`two processes, ${kind}: ${BATCHED_EVENTS} events in ${seconds.toFixed(2)} s`);
  await producer.close();
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  const name = kind === 'engine' ? 'engine, own process' : 'two processes';
  return {
    [`${name} events/s`]: Math.round(BATCHED_EVENTS / seconds),
    [`${name} queue lag p99 ms`]: quantile(lags, 0.99),
  };
}

/** The batched run with the rules engine behind the consumer, producer and engine in one process. */
async function withEngine(url: string, log: (line: string) => void): Promise<Figures> {
  await flushRedis(url);
  const { consumer, received } = await engineConsumer(url);
  const producer = await BullmqProducer.connect({ url });
  const started = Date.now();
  await publishAll(producer);
  while (received() < BATCHED_EVENTS) await new Promise((r) => setTimeout(r, 2));
  const seconds = (Date.now() - started) / 1000;
  await producer.close();
  await consumer.close();
  log(`engine: ${BATCHED_EVENTS} events in ${seconds.toFixed(2)} s, ${consumer.metrics().ackedEvents} acknowledged`);
  return { 'engine, one process events/s': Math.round(BATCHED_EVENTS / seconds) };
}

async function flushRedis(url: string): Promise<void> {
  const redis = new IORedis(url);
  await redis.flushall();
  redis.disconnect();
}

/**
 * What one commit costs when the state is as large as the defaults let it grow: 27 rules, 10,000
 * distinct peers (the key cap per rule) in each rule's open window. Encoded, then written to Redis.
 */
async function commitAtKeyCap(url: string, log: (line: string) => void): Promise<Figures> {
  const engine = new PartitionedEngine(await allRules(), 1);
  engine.add(0);
  // 200,000 events within one 10 s window, from 10,000 peers.
  const peers = tcpEvents(0, 200_000).map((e, i) => ({ ...e, ts: e.ts - i + (i % 9000), raddr: `10.1.${(i % 10_000) >> 8}.${i % 256}` }));
  for (let i = 0; i < peers.length; i += CHUNK) engine.push(0, peers.slice(i, i + CHUNK));
  const t0 = performance.now();
  const state = enginePartitionState(engine).snapshot(0);
  const t1 = performance.now();
  const redis = new IORedis(url);
  await redis.set('{tcpwarden-bench}:state', state);
  const t2 = performance.now();
  redis.disconnect();
  log(`commit at the key cap: ${state.length} bytes`);
  return {
    'commit at key cap: state MB': Number((state.length / 1e6).toFixed(1)),
    'commit at key cap: encode ms': Math.round(t1 - t0),
    'commit at key cap: write to Redis ms': Math.round(t2 - t1),
  };
}

async function jobPerEvent(url: string, log: (line: string) => void): Promise<Figures> {
  const connection = new IORedis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('per-event', { connection, prefix: '{tcpwarden-bench}' });
  let received = 0;
  const lags: number[] = [];
  const worker = new Worker(
    'per-event',
    async (job) => {
      lags.push(Date.now() - job.timestamp);
      received++;
    },
    { connection, prefix: '{tcpwarden-bench}', concurrency: 100, removeOnComplete: { count: 1000 } },
  );
  const sample = tcpEvents(0, 10_000);
  const started = Date.now();
  // Adds pipelined a thousand at a time: the same per-event job, without a round trip each.
  for (let i = 0; i < PER_JOB_EVENTS; i += CHUNK) {
    await Promise.all(sample.slice(i % sample.length, (i % sample.length) + CHUNK).map((e) => queue.add('event', e, { removeOnComplete: { count: 1000 } })));
  }
  while (received < PER_JOB_EVENTS) await new Promise((r) => setTimeout(r, 2));
  const seconds = (Date.now() - started) / 1000;
  lags.sort((a, b) => a - b);
  log(`one job per event: ${PER_JOB_EVENTS} events in ${seconds.toFixed(2)} s`);
  await worker.close();
  await queue.close();
  connection.disconnect();
  return {
    'one job per event events/s': Math.round(PER_JOB_EVENTS / seconds),
    'one job per event queue lag p99 ms': quantile(lags, 0.99),
  };
}

export const benchmark: Benchmark = {
  name: 'queue',
  description: 'producer -> Redis (BullMQ) -> consumer: batched columnar jobs vs one job per event',
  async run(log) {
    const redis = await startRedis();
    try {
      const a = await batched(redis.url, log);
      const b = await jobPerEvent(redis.url, log);
      const c = await paced(redis.url, log);
      const d = await twoProcesses(redis.url, log, 'transport');
      const e = await withEngine(redis.url, log);
      const g = await twoProcesses(redis.url, log, 'engine');
      const f = await commitAtKeyCap(redis.url, log);
      return {
        ...a,
        ...d,
        ...e,
        ...g,
        ...f,
        ...b,
        ...c,
        'batched / one job per event': Number(((a['batched events/s'] as number) / (b['one job per event events/s'] as number)).toFixed(1)),
        'batch size, linger': '1000 events, 50 ms (defaults)',
      };
    } finally {
      await redis.stop();
    }
  },
};
