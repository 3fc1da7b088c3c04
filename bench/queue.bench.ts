/**
 * Events through Redis end to end (producer -> BullMQ -> consumer handler), with tcpwarden's
 * batching, beside one BullMQ job per event in the same run, on a redis-server of its own.
 * The handler only counts: this measures the transport, not the engine.
 */
import { Queue, Worker } from 'bullmq';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { BullmqProducer } from '../src/queue/bullmq-producer';
import { startRedis } from '../test/support/redis-server';
import { tcpEvents } from '../test/support/tcp-events';
import type { Benchmark, Figures } from './benchmark';
import { countingConsumer } from './counting-consumer';

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
async function publishAll(producer: BullmqProducer): Promise<void> {
  const sample = tcpEvents(0, 10_000);
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

/** The same run with the consumer in a process of its own, as collectors and engines are deployed on Redis. */
async function twoProcesses(url: string, log: (line: string) => void): Promise<Figures> {
  const child = fork(join(__dirname, 'queue-consumer-process.js'), [url, String(BATCHED_EVENTS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
  log(`two processes: ${BATCHED_EVENTS} events in ${seconds.toFixed(2)} s`);
  await producer.close();
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  return {
    'two processes events/s': Math.round(BATCHED_EVENTS / seconds),
    'two processes queue lag p99 ms': quantile(lags, 0.99),
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
      const d = await twoProcesses(redis.url, log);
      return {
        ...a,
        ...d,
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
