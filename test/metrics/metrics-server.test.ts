import { Metrics } from '../../src/metrics/metrics';
import { MetricsServer, parseListenAddress } from '../../src/metrics/metrics-server';

describe('parseListenAddress', () => {
  test.each([
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('%s', (text, expected) => expect(parseListenAddress(text)).toEqual(expected));

  test.each(['', 'abc', '1.2.3.4:', '1.2.3.4:99999'])('rejects %p with what is accepted', (text) => {
    expect(() => parseListenAddress(text)).toThrow(/is not HOST:PORT, :PORT or PORT/);
  });
});

describe('MetricsServer', () => {
  let ready = false;
  const metrics = new Metrics({ processMetrics: false });
  const server = new MetricsServer({ address: '127.0.0.1:0', metrics, ready: () => ready });
  let base: string;
  beforeAll(async () => {
    const { host, port } = await server.listen();
    base = `http://${host}:${port}`;
  });
  afterAll(() => server.close());

  test('/metrics is Prometheus text with the counters as they were incremented', async () => {
    metrics.events.inc({ kind: 'rst_sent' }, 3);
    metrics.eventsLost.inc({ stage: 'collector' }, 2);
    metrics.alerts.inc({ rule: 'syn-flood', severity: 'critical', status: 'firing' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE tcpwarden_events_total counter');
    expect(text).toContain('tcpwarden_events_total{kind="rst_sent"} 3');
    expect(text).toContain('tcpwarden_events_lost_total{stage="collector"} 2');
    expect(text).toContain('tcpwarden_alerts_total{rule="syn-flood",severity="critical",status="firing"} 1');
  });

  test('/healthz always, /readyz only when ready', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  test('tcpwarden_ready says at each scrape what /readyz says, by role', async () => {
    metrics.reportReadiness('engine', () => ready);
    ready = false;
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('tcpwarden_ready{role="engine"} 0');
    ready = true;
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('tcpwarden_ready{role="engine"} 1');
  });

  test('a port in use is one clear error', async () => {
    const taken = new URL(base).port;
    const second = new MetricsServer({ address: `127.0.0.1:${taken}`, metrics, ready: () => true });
    await expect(second.listen()).rejects.toThrow(`cannot serve metrics on 127.0.0.1:${taken}: EADDRINUSE`);
  });
});
