import type { RedisOptions } from 'ioredis';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
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

/** A percent-encoded part of the URL; a bad escape (`%zz`) is the user's mistake, not a URIError. */
function decodePart(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RedisUrlError(maskRedisUrl(url), `the ${what} has a '%' escape that does not decode (write '%25' for a '%')`);
  }
}

/** ioredis options for a `redis://` or `rediss://` (TLS, with `tls` over the defaults) URL, with its user, password and db number. */
export function redisOptionsFromUrl(url: string, tls?: ConnectionOptions): RedisOptions {
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
    username: u.username ? decodePart(url, u.username, 'user name') : undefined,
    password: u.password ? decodePart(url, u.password, 'password') : undefined,
    db,
    // rediss: TLS with the system's CAs; the host name (or IP address) is checked against the
    // certificate. SNI carries names only: Node refuses an IP address as servername.
    tls: u.protocol === 'rediss:' ? { ...(isIP(host) ? {} : { servername: host }), ...tls } : undefined,
  };
}
