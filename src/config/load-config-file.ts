import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../package-root';
import { diagnostic, type Diagnostic } from '../rules/diagnostic';
import { readTextFile } from '../rules/read-text-file';
import { checkSchema } from '../rules/schema-check';
import { readRuleSource } from '../rules/reader';
import { checkConfig, type ConfigContext } from './check-config';
import type { ConfigLoadResult } from './config-load-result';
import { validateConfigSchema } from './config-schema';

/**
 * Reads and validates a `tcpwarden run` config file: YAML with positions, the JSON schema, then
 * the checks the schema cannot make, then that each rule path exists. Never throws for the user's
 * mistakes: every problem comes back at once, in file order, with file:line:column.
 */
export async function loadConfigFile(path: string, context: Partial<ConfigContext> = {}): Promise<ConfigLoadResult> {
  const file = resolve(path);
  const unreadable = (errno: string) =>
    diagnostic('config.unreadable', { file: path, line: 1, column: 1 }, `cannot read the config file: ${errno}`, { accepted: 'a readable YAML file; see examples/tcpwarden.yaml' });
  // Messages name the file as the user gave it; the config keeps it absolute (relative rule paths start there).
  const loaded = await readTextFile(file, unreadable, path);
  if ('error' in loaded) return { ok: false, errors: [loaded.error] };
  const read = readRuleSource(path, loaded.text);
  const schema = checkSchema(read.source, validateConfigSchema);
  const errors: Diagnostic[] = [...read.diagnostics, ...schema.diagnostics];
  const checked = checkConfig(read.source, read.diagnostics.length === 0 && schema.diagnostics.length === 0, {
    file,
    hostname: context.hostname ?? hostname(),
    defaultRules: context.defaultRules ?? join(packageRoot(), 'rules'),
  });
  errors.push(...checked.diagnostics);
  errors.push(...(await missingRulePaths(read.source.data, dirname(file), (i) => read.source.locate(['rules', i]))));
  errors.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
  return errors.length === 0 ? { ok: true, config: checked.config, errors } : { ok: false, errors };
}

/** The rule paths the file names that do not exist, each located at its list item. */
async function missingRulePaths(data: unknown, configDir: string, locate: (i: number) => Diagnostic['location']): Promise<Diagnostic[]> {
  const given = (data as { rules?: unknown } | null)?.rules;
  const out: Diagnostic[] = [];
  if (!Array.isArray(given)) return out;
  for (const [i, p] of given.entries()) {
    if (typeof p !== 'string' || p === '') continue; // the schema has said so

    const full = resolve(configDir, p);
    try {
      await stat(full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      out.push(
        diagnostic('config.rules-path', locate(i), `rule path '${p}' cannot be read: ${code}`, {
          accepted: `an existing rule file or directory of them (this one is ${full}: relative paths are taken from the config file's directory)`,
        }),
      );
    }
  }
  return out;
}
