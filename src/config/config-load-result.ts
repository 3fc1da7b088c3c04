import { formatDiagnostic, type Diagnostic } from '../rules/diagnostic';
import type { ValidConfig } from './valid-config';

/**
 * The outcome of loading a config file. Loading never throws for the user's mistakes: every
 * problem is in `errors` at once, each with file:line:column; `config` only when `ok`.
 */
export interface ConfigLoadResult {
  ok: boolean;
  config?: ValidConfig;
  errors: Diagnostic[];
}

/** One line per error, in file order: `tcpwarden.yaml:4:7: error schema.value: 'role' cannot be "master" (accepted: ...)`. */
export function formatConfigErrors(result: Pick<ConfigLoadResult, 'errors'>): string {
  return result.errors.map(formatDiagnostic).join('\n');
}
