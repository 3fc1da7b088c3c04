import { formatConfigErrors } from '../config/config-load-result';
import { loadConfigFile } from '../config/load-config-file';
import type { ValidConfig } from '../config/valid-config';
import { UserError } from '../errors/user-error';

/** A config file for a command: the loader's checks (size, encoding, YAML limits, schema), every error at once with file:line:column. */
export async function readConfig(file: string): Promise<ValidConfig> {
  const result = await loadConfigFile(file);
  if (!result.ok || !result.config) throw new UserError('CONFIG_INVALID', formatConfigErrors(result), 2);
  return result.config;
}
