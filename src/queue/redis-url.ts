import type { RedisOptions } from 'ioredis';
import { RedisUrlError } from '../errors/redis-url-error';

/** The URL as it may be shown in logs and errors: the password replaced by `***`. */
export function maskRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Unparseable: it may still hold a password, so show only the scheme.
    return url.replace(/\/\/.*$/, '//<unparseable>');
  }
}

/** ioredis options for a `redis://` or `rediss://` (TLS) URL, with its user, password and db number. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(maskRedisUrl(url), 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(maskRedisUrl(url), `unsupported scheme '${u.protocol}'`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(maskRedisUrl(url), `database '${u.pathname.slice(1)}' is not a number`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    // rediss: TLS with the system's CAs; the host name is checked against the certificate.
    tls: u.protocol === 'rediss:' ? { servername: host } : undefined,
  };
}
