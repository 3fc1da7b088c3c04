import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { UserError } from '../errors/user-error';
import type { SecretSource } from './sink-config';

const REDACTED = '[redacted]';

/**
 * A secret value (signing key, Authorization header) that cannot leak by accident: printing,
 * JSON-serializing, string interpolation and util.inspect (which pino and console use) all show
 * `[redacted]`. Only `reveal()` gives the value, at the one place that puts it on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Reads a secret from its environment variable or file; a missing or empty one is the user's mistake, said without the value. */
export function loadSecret(source: SecretSource, what: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if (source.env !== undefined) {
    const v = env[source.env];
    if (!v) throw new UserError('ALERTS_SECRET_MISSING', `${what}: environment variable ${source.env} is not set or empty`, 2);
    return new Secret(v);
  }
  let v: string;
  try {
    v = readFileSync(source.file ?? '', 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UserError('ALERTS_SECRET_MISSING', `${what}: cannot read ${source.file}: ${(err as NodeJS.ErrnoException).code}`, 2);
  }
  if (!v) throw new UserError('ALERTS_SECRET_MISSING', `${what}: ${source.file} is empty`, 2);
  return new Secret(v);
}
