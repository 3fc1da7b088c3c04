import { DIAGNOSTIC_CODES, type DiagnosticCode, type DiagnosticSeverity } from './diagnostic-code';

/** Where in a rule file something is: 1-based line and column, as editors show them. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One error or warning of a rule load. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: DiagnosticSeverity;
  location: SourceLocation;
  /** The rule the problem is in, when it is in one. */
  ruleId?: string;
  /** What is wrong. */
  message: string;
  /** What would be accepted instead, when that can be said. */
  accepted?: string;
}

export function diagnostic(
  code: DiagnosticCode,
  location: SourceLocation,
  message: string,
  extra: { ruleId?: string; accepted?: string } = {},
): Diagnostic {
  return { code, severity: DIAGNOSTIC_CODES[code].severity, location, message, ...extra };
}

/** `rules/x.yaml:12:7: error rule.unknown-field [syn-flood]: unknown event field 'lprt' (accepted: ...)` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.location.file}:${d.location.line}:${d.location.column}`;
  const rule = d.ruleId ? ` [${d.ruleId}]` : '';
  const accepted = d.accepted ? ` (accepted: ${d.accepted})` : '';
  return `${where}: ${d.severity} ${d.code}${rule}: ${d.message}${accepted}`;
}
