import type { Writable } from 'node:stream';
import type { Alert } from '../interfaces/alert';
import { acceptsAlert } from './alert-filter';
import { alertLine } from './alert-line';
import { genericJson } from './formats/generic-json';
import type { Identified, StdoutSinkConfig } from './sink-config';
import type { Sink } from './sink';

/** Alerts on stdout: one readable line each, or with `json` the generic JSON body, one per line. */
export class StdoutSink implements Sink {
  readonly id: string;

  constructor(
    private readonly config: Identified<StdoutSinkConfig>,
    private readonly out: Writable = process.stdout,
  ) {
    this.id = config.id;
  }

  accepts(alert: Alert): boolean {
    return acceptsAlert(this.config, alert);
  }

  async send(alert: Alert): Promise<void> {
    this.out.write((this.config.json ? genericJson(alert).body : alertLine(alert)) + '\n');
  }
}
