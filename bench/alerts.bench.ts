/**
 * Alert delivery latency: from the alert handed to the sink layer (AlertDelivery.dispatch) to the
 * signed request received by a real HTTP receiver on 127.0.0.1, over 1,000 alerts, through the
 * in-memory queue and through BullMQ on a redis-server started here. Two loads: paced (one alert
 * every 2 ms, the engine's steady state) and a burst (all 1,000 handed over at once). The machine
 * is shared, so each figure is the median over interleaved rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createAlertDelivery } from '../src/alerts/create-alert-delivery';
import type { DeliveryConfig } from '../src/alerts/sink-config';
import { validateAlertsConfig } from '../src/alerts/validate-alerts-config';
import type { Alert } from '../src/interfaces/alert';
import { startRedis } from '../test/support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../test/support/webhook-receiver';
import type { Benchmark, Figures } from './benchmark';

const ALERTS = 1000;
const PACE_MS = 2;
const ROUNDS = 3;

function alert(id: string, i: number): Alert {
  const now = Date.now();
  return {
    dedupKey: `bench|10.0.${i >> 8}.${i & 255}|80`,
    id,
    status: 'firing',
    rule: { id: 'bench', name: 'Bench rule', severity: 'high', tags: ['bench'] },
    group: { laddr: `10.0.${i >> 8}.${i & 255}`, lport: 80 },
    window: { start: now - 10_000, end: now },
    aggregates: { count: 150, 'distinct.raddr': 30 },
    summary: `bench alert ${i}`,
    host: 'bench',
    netns: [4026531840],
    samples: [],
    loss: { events: 0, stages: {} },
    startsAt: now,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values: number[]): number {
  return Number([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(2));
}

async function measure(receiver: WebhookReceiver, delivery: DeliveryConfig, run: string, paced: boolean): Promise<number[]> {
  const handed = new Map<string, number>();
  const latencies: number[] = [];
  receiver.onRequest = (req) => {
    const t = handed.get(String(req.headers['webhook-id']));
    if (t !== undefined) latencies.push(performance.now() - t);
  };
  const config = validateAlertsConfig({
    sinks: [{ type: 'webhook', url: receiver.url, secret: { env: 'BENCH_SECRET' } }],
    delivery,
    // Every alert is its own group here: lift the burst limit so each one is delivered, not summarized.
    burst: { maxGroups: ALERTS * 10 },
  });
  const sinks = createAlertDelivery(config, { env: { BENCH_SECRET: 'whsec_YmVuY2ggc2VjcmV0' }, logger: pino({ level: 'silent' }) });
  for (let i = 0; i < ALERTS; i++) {
    const id = `${run}-${i}`;
    handed.set(id, performance.now());
    const dispatched = sinks.dispatch(alert(id, i));
    if (paced) {
      await dispatched;
      await new Promise((r) => setTimeout(r, PACE_MS));
    } else void dispatched;
  }
  const until = Date.now() + 60_000;
  while (latencies.length < ALERTS && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  await sinks.close();
  if (latencies.length < ALERTS) throw new Error(`${run}: only ${latencies.length} of ${ALERTS} alerts arrived within 60 s`);
  return latencies.sort((a, b) => a - b);
}

export const benchmark: Benchmark = {
  name: 'alerts',
  description: 'alert handed to the sink layer -> signed webhook received on loopback, 1,000 alerts',
  async run(log) {
    const figures: Figures = { alerts: ALERTS, paced_interval_ms: PACE_MS, rounds: ROUNDS };
    const receiver = await startWebhookReceiver();
    const stateDir = mkdtempSync(join(tmpdir(), 'tcpwarden-bench-'));
    const redis = await startRedis();
    const samples = new Map<string, { p50: number[]; p99: number[]; max: number[] }>();
    try {
      const runs: [string, DeliveryConfig][] = [
        ['memory', { stateDir }],
        ['redis', { redisUrl: redis.url }],
      ];
      for (let round = 1; round <= ROUNDS; round++)
        for (const [name, delivery] of runs)
          for (const paced of [true, false]) {
            const label = `${name}_${paced ? 'paced' : 'burst'}`;
            log(`round ${round} ${label}: ${ALERTS} alerts ${paced ? `one every ${PACE_MS} ms` : 'at once'}`);
            const l = await measure(receiver, delivery, `${label}-${round}-${Date.now()}`, paced);
            const s = samples.get(label) ?? { p50: [], p99: [], max: [] };
            s.p50.push(percentile(l, 50));
            s.p99.push(percentile(l, 99));
            s.max.push(percentile(l, 100));
            samples.set(label, s);
          }
    } finally {
      await receiver.stop();
      await redis.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
    for (const [label, s] of samples) {
      figures[`${label}_p50_ms`] = median(s.p50);
      figures[`${label}_p99_ms`] = median(s.p99);
      figures[`${label}_max_ms`] = median(s.max);
    }
    return figures;
  },
};
