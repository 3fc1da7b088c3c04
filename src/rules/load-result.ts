import type { CompiledRule } from './compiled-rule';
import { formatDiagnostic, type Diagnostic } from './diagnostic';

/**
 * The outcome of loading rule files. Loading never throws for bad input: every problem of the
 * load is here at once, errors and warnings apart. `rules` is empty unless `ok`, so a load with
 * any error never half-applies.
 */
export interface LoadResult {
  ok: boolean;
  rules: CompiledRule[];
  files: string[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function loadResult(files: string[], rules: CompiledRule[], diagnostics: Diagnostic[]): LoadResult {
  const byPlace = (a: Diagnostic, b: Diagnostic) =>
    a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.column - b.location.column;
  const errors = diagnostics.filter((d) => d.severity === 'error').sort(byPlace);
  const warnings = diagnostics.filter((d) => d.severity === 'warning').sort(byPlace);
  const ok = errors.length === 0;
  return { ok, rules: ok ? rules : [], files, errors, warnings };
}

/** The text form: one line per diagnostic, errors first. */
export function formatLoadResult(result: LoadResult): string {
  return [...result.errors, ...result.warnings].map(formatDiagnostic).join('\n');
}
