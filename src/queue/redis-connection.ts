import IORedis, { type RedisOptions } from 'ioredis';
import { RedisUnreachableError } from '../errors/redis-unreachable-error';
import type { Deadline } from '../lifecycle/deadline';
import type { RedisTarget } from './redis-target';
import { maskRedisUrl, redisOptionsFromUrl } from './redis-url';

const PROBE_TIMEOUT_MS = 3000;
const RECONNECT_MAX_MS = 2000;

/**
 * How a long-lived connection behaves. `blocking`: BullMQ workers, whose commands must wait out an
 * outage (BullMQ requires maxRetriesPerRequest null). `failFast`: producers and leases, whose
 * commands must fail at once while Redis is away so the caller's own buffer and expiry logic
 * take over instead of an unbounded ioredis offline queue.
 */
export type ConnectionMode = 'blocking' | 'failFast';

/**
 * Checks once that Redis answers (so a wrong URL or password is a one-line error at start, naming
 * the URL with its password masked), then opens the long-lived connection, which reconnects with
 * backoff forever and never throws for an outage. `signal` (a stop during the start) abandons the
 * attempt at once: whatever was opened is disconnected and the call rejects with the signal's reason.
 */
export async function connectRedis(target: RedisTarget, mode: ConnectionMode, signal?: AbortSignal): Promise<IORedis> {
  signal?.throwIfAborted();
  const { url } = target;
  const base = redisOptionsFromUrl(url, target.tls);
  const probe = new IORedis({
    ...base,
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    // A server that takes the connection and never answers (a hung Redis, a wrong port) is unreachable too.
    commandTimeout: PROBE_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // connect() rejects with a bare "Connection is closed"; the cause (ECONNREFUSED, WRONGPASS) comes as an 'error' event.
  let cause: Error | undefined;
  probe.on('error', (err: Error) => (cause ??= err));
  const abandon = () => probe.disconnect();
  signal?.addEventListener('abort', abandon, { once: true });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    signal?.throwIfAborted();
    throw new RedisUnreachableError(maskRedisUrl(url), (cause ?? (err as Error)).message);
  } finally {
    signal?.removeEventListener('abort', abandon);
    // disconnect() on a socket that already closed arms a 2 s timer that holds the process open.
    if (probe.status !== 'end') probe.disconnect();
  }
  const options: RedisOptions = {
    ...base,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), RECONNECT_MAX_MS),
    // Closing while Redis is away leaves a timer for a socket that is already gone; keep it short.
    disconnectTimeout: 200,
    ...(mode === 'blocking' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 0, enableOfflineQueue: false }),
  };
  const client = new IORedis(options);
  // Outages show in the callers' counters (send errors, lost leases); without a listener ioredis
  // would print every failed reconnect attempt.
  client.on('error', () => undefined);
  const abort = () => client.disconnect();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('end', () => reject(signal?.reason ?? new RedisUnreachableError(maskRedisUrl(url), 'connection ended during start')));
    });
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return client;
}

/**
 * Closes a connection by `deadline`: QUIT while Redis answers (the replies to earlier commands
 * come first), a plain disconnect when Redis is away or the deadline passes. QUIT on a connection
 * whose Redis is away would wait for it to come back.
 */
export async function closeRedis(client: IORedis, deadline: Deadline): Promise<void> {
  if (client.status === 'ready' && !deadline.passed) await deadline.settles(client.quit());
  // Also when QUIT got no answer in time. (Not on an ended connection: that would arm a 2 s timer.)
  if (statusOf(client) !== 'end') client.disconnect();
}

/** Read afresh: the status changes while a close waits. */
function statusOf(client: IORedis): string {
  return client.status;
}
