import { UserError } from './user-error';

/** The alerts section of a config (sinks, delivery, burst) is invalid; `problems` lists each one with its path. */
export class AlertsConfigError extends UserError {
  constructor(readonly problems: string[]) {
    super('ALERTS_CONFIG_INVALID', `invalid alerts config: ${problems.join('; ')}`, 2);
  }
}
