import IORedis from 'ioredis';
import pino from 'pino';
import { Writable } from 'node:stream';
import { RedisHealth } from '../../src/queue/redis-health';
import { startRedis, type TestRedis } from '../support/redis-server';
import { waitFor } from '../support/transport-contract';

/** A pino logger whose lines land in `lines`. */
function capture(): { logger: pino.Logger; lines: { msg: string; suppressed?: number }[] } {
  const lines: { msg: string; suppressed?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('RedisHealth', () => {
  let redis: TestRedis;
  let client: IORedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(() => client?.disconnect());
  afterAll(async () => redis?.stop());

  test('a reconnecting connection: up false, one line then fewer, the return once; the gauge follows', async () => {
    const { logger, lines } = capture();
    const changes: boolean[] = [];
    const health = new RedisHealth(logger, (up: boolean) => changes.push(up));
    const c = (client = new IORedis(redis.url, { retryStrategy: () => 20 }));
    // Watched once connected, as the detector does.
    await new Promise((resolve) => c.once('ready', resolve));
    health.watch(c, 'queue');
    expect(health.up).toBe(true);
    await redis.stop();
    await waitFor('down', () => !health.up);
    // Reconnects every 20 ms: ~50 failures a second. Wait until the back-off has logged two repeats (>= 1 + 2 s).
    await waitFor('two repeats', () => lines.filter((l) => l.msg === 'Redis still unreachable').length === 2, 10000);
    expect(lines[0].msg).toMatch(/^Redis unreachable/);
    expect(lines.filter((l) => /Redis/.test(l.msg))).toHaveLength(3);
    expect(lines[2].suppressed).toBeGreaterThan(10);
    await redis.start();
    await waitFor('back', () => lines.some((l) => l.msg === 'Redis reachable again'), 10000);
    expect(health.up).toBe(true);
    expect(changes[0]).toBe(true);
    expect(changes).toContain(false);
    expect(changes[changes.length - 1]).toBe(true);
  }, 30000);
});
