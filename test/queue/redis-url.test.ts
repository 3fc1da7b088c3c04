import { maskRedisUrl, redisOptionsFromUrl } from '../../src/queue/redis-url';

describe('redis URLs', () => {
  it('masks the password, and only the password', () => {
    expect(maskRedisUrl('redis://:s3cr%40t@cache.local:6380/2')).toBe('redis://:***@cache.local:6380/2');
    expect(maskRedisUrl('rediss://app:pw@cache.local')).toBe('rediss://app:***@cache.local');
    expect(maskRedisUrl('redis://cache.local:6379')).toBe('redis://cache.local:6379');
    expect(maskRedisUrl('redis://:pw@[::1')).not.toContain('pw');
  });

  it('turns redis:// and rediss:// into ioredis options, TLS for rediss', () => {
    expect(redisOptionsFromUrl('redis://:s3cr%40t@cache.local:6380/2')).toMatchObject({ host: 'cache.local', port: 6380, password: 's3cr@t', db: 2, tls: undefined });
    expect(redisOptionsFromUrl('rediss://app:pw@cache.local')).toMatchObject({ port: 6379, username: 'app', password: 'pw', tls: { servername: 'cache.local' } });
  });

  it('refuses other schemes and bad databases with a UserError that hides the password', () => {
    expect(() => redisOptionsFromUrl('http://:pw@cache.local')).toThrow(expect.objectContaining({ code: 'REDIS_URL_INVALID' }));
    expect(() => redisOptionsFromUrl('redis://:pw@cache.local/x')).toThrow(/database 'x'/);
    expect(() => redisOptionsFromUrl('redis://:pw@cache.local/x')).not.toThrow(/pw/);
  });

  it('refuses a bad percent escape in the user or password with a UserError, not a URIError', () => {
    for (const [url, what] of [
      ['redis://:pw%zz@cache.local', 'password'],
      ['redis://us%e0er:pw@cache.local', 'user name'],
    ]) {
      expect(() => redisOptionsFromUrl(url)).toThrow(expect.objectContaining({ code: 'REDIS_URL_INVALID', message: expect.stringContaining(`the ${what} has a '%' escape that does not decode`) }));
      expect(() => redisOptionsFromUrl(url)).not.toThrow(/pw/);
    }
  });
});
