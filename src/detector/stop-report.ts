import type { Logger } from 'pino';
import type { Deadline } from '../lifecycle/deadline';

/** What a stop could not finish by its deadline, by where it went. */
export interface StopLeft {
  /** Events the producer still held: dropped, and counted as queue loss. */
  eventsDropped: number;
  /** Batches applied here and never committed: they go back to Redis, and the partition's next owner judges them. */
  batchesLeft: number;
  /** Alerts the sinks had not taken (Redis away): their batches were not committed either, so with Redis the next owner judges them again. */
  alertsNotHanded: number;
  /** Alert deliveries not finished: dead-lettered as `shutdown` (without Redis) or left queued in Redis for the next worker. */
  deliveriesLeft: number;
}

/**
 * The account of one stop: each step waits for its work until the shared deadline (a late one is
 * named), what was left is counted, and `finish` writes it all as the stop's one last log line.
 */
export class StopReport {
  readonly left: StopLeft = { eventsDropped: 0, batchesLeft: 0, alertsNotHanded: 0, deliveriesLeft: 0 };
  readonly late: string[] = [];
  /** The step being waited for now. */
  step = '';
  private readonly began = Date.now();

  constructor(private readonly log: Logger) {}

  /** Waits for `work` until `deadline`; true when it settled in time. A failed step is logged and counts as done. */
  async wait(name: string, deadline: Deadline, work: Promise<unknown> | undefined): Promise<boolean> {
    if (!work) return true;
    this.step = name;
    const done = await deadline.settles(work.catch((err: unknown) => this.log.warn({ step: name, err: (err as Error).message }, 'a stop step failed')));
    if (!done) this.late.push(name);
    return done;
  }

  /** The stop's last line: info when everything was finished, a warning naming what was left otherwise. */
  finish(message: string, deliveriesInRedis: boolean): void {
    this.step = 'done';
    const { eventsDropped, batchesLeft, alertsNotHanded, deliveriesLeft } = this.left;
    const parts = [
      eventsDropped > 0 && `${eventsDropped} events dropped (counted as queue loss)`,
      batchesLeft > 0 && `${batchesLeft} batches left uncommitted for the partition's next owner`,
      alertsNotHanded > 0 && `${alertsNotHanded} alerts not handed to the sinks`,
      deliveriesLeft > 0 && `${deliveriesLeft} alert deliveries ${deliveriesInRedis ? 'left queued in Redis' : 'dead-lettered (tcpwarden alerts retry)'}`,
      this.late.length > 0 && `steps cut short at the deadline: ${this.late.join(', ')}`,
    ].filter((p): p is string => typeof p === 'string');
    const fields = { tookMs: Date.now() - this.began, left: this.left, late: this.late };
    if (parts.length === 0) this.log.info(fields, message);
    else this.log.warn(fields, `${message} with work left: ${parts.join('; ')}`);
  }
}
