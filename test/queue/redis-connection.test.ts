import { connectRedis } from '../../src/queue/redis-connection';
import { startRedis } from '../support/redis-server';

describe('connectRedis (needs redis-server)', () => {
  it('fails at start with one line naming the URL, password masked, when nothing listens', async () => {
    const r = await startRedis({ password: 'hunter2' });
    await r.stop();
    const err = await connectRedis({ url: r.url }, 'failFast').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UserError', code: 'REDIS_UNREACHABLE', exitCode: 1 });
    expect((err as Error).message).toContain(`redis://:***@127.0.0.1:${r.port}`);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('authenticates with requirepass, and says so when the password is wrong', async () => {
    const r = await startRedis({ password: 'hunter2' });
    try {
      const c = await connectRedis({ url: r.url }, 'blocking');
      expect(await c.ping()).toBe('PONG');
      c.disconnect();
      const wrong = r.url.replace('hunter2', 'nope');
      await expect(connectRedis({ url: wrong }, 'failFast')).rejects.toMatchObject({ code: 'REDIS_UNREACHABLE', message: expect.stringMatching(/WRONGPASS|invalid/) });
    } finally {
      await r.stop();
    }
  });
});

describe('connectRedis over TLS (needs redis-server built with TLS, and openssl)', () => {
  it('speaks TLS for rediss://, trusting the given CA and refusing an unknown certificate', async () => {
    const r = await startRedis({ tls: true, password: 'hunter2' });
    try {
      const c = await connectRedis({ url: r.url, tls: { ca: r.ca } }, 'failFast');
      expect(await c.ping()).toBe('PONG');
      c.disconnect();
      await expect(connectRedis({ url: r.url }, 'failFast')).rejects.toMatchObject({ code: 'REDIS_UNREACHABLE', message: expect.stringMatching(/self[- ]signed/) });
    } finally {
      await r.stop();
    }
  });
});
