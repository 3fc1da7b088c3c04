import type IORedis from 'ioredis';
import type { Logger } from 'pino';

/** The first repeat of a Redis error is logged this long after the first line; each later one waits twice as long. */
const FIRST_REPEAT_MS = 1000;
const MAX_REPEAT_MS = 5 * 60_000;

/**
 * Whether the Redis a process exchanges events through is up, and one log of its trouble. While
 * Redis is away every connection fails on every reconnect attempt (several a second over all
 * connections): the first failure is logged at once, repeats at a slowing rate (1 s, 2 s, 4 s ...
 * up to 5 min apart), each line with how many failures it stands for, and the return once.
 */
export class RedisHealth {
  private readonly clients: IORedis[] = [];
  private downSince: number | null = null;
  private suppressed = 0;
  private repeatMs = FIRST_REPEAT_MS;
  private nextLineAt = 0;

  /** `changed` is told `up` whenever a watched connection comes or goes (the detector's gauge). */
  constructor(
    private readonly log: Logger,
    private readonly changed: (up: boolean) => void = () => undefined,
  ) {}

  /** Counts `client`'s status in `up` and its errors in the log. */
  watch(client: IORedis, source: string): void {
    this.clients.push(client);
    client.on('error', (err: unknown) => this.failed(source, err));
    client.on('close', () => this.changed(false));
    client.on('ready', () => {
      this.changed(this.up);
      this.recovered();
    });
    this.changed(this.up);
  }

  /** Every watched connection is ready (false while any reconnects). */
  get up(): boolean {
    return this.clients.every((c) => c.status === 'ready');
  }

  /** A Redis error from this process (a watched connection, BullMQ, the alert queue's own connections). */
  failed(source: string, err: unknown): void {
    const now = Date.now();
    const code = (err as { code?: unknown }).code ?? (err as Error).message;
    if (this.downSince === null) {
      this.downSince = now;
      this.nextLineAt = now + this.repeatMs;
      this.log.error({ source, code }, 'Redis unreachable: reconnecting; repeats of this error are logged less and less often');
      return;
    }
    if (now < this.nextLineAt) {
      this.suppressed++;
      return;
    }
    this.log.error({ source, code, downForMs: now - this.downSince, suppressed: this.suppressed }, 'Redis still unreachable');
    this.suppressed = 0;
    this.repeatMs = Math.min(this.repeatMs * 2, MAX_REPEAT_MS);
    this.nextLineAt = now + this.repeatMs;
  }

  private recovered(): void {
    if (this.downSince === null || !this.up) return;
    this.log.info({ downForMs: Date.now() - this.downSince, suppressed: this.suppressed }, 'Redis reachable again');
    this.downSince = null;
    this.suppressed = 0;
    this.repeatMs = FIRST_REPEAT_MS;
  }
}
