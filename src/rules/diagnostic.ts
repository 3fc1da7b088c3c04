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

/** The longest message and `accepted` a diagnostic carries: a file's whole text must never come back in an error. */
const MAX_TEXT = 300;
/** The longest quoted value from the file in a message. */
const MAX_SNIPPET = 40;

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value from the file as a message quotes it: JSON, cut to a short snippet. */
export function snippet(value: unknown): string {
  return cap(JSON.stringify(value) ?? String(value), MAX_SNIPPET);
}

export function diagnostic(
  code: DiagnosticCode,
  location: SourceLocation,
  message: string,
  extra: { ruleId?: string; accepted?: string } = {},
): Diagnostic {
  const capped = { ...extra, ...(extra.accepted !== undefined ? { accepted: cap(extra.accepted, MAX_TEXT) } : {}) };
  return { code, severity: DIAGNOSTIC_CODES[code].severity, location, message: cap(message, MAX_TEXT), ...capped };
}

/** `rules/x.yaml:12:7: error rule.unknown-field [syn-flood]: unknown event field 'lprt' (accepted: ...)` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.location.file}:${d.location.line}:${d.location.column}`;
  const rule = d.ruleId ? ` [${d.ruleId}]` : '';
  const accepted = d.accepted ? ` (accepted: ${d.accepted})` : '';
  return `${where}: ${d.severity} ${d.code}${rule}: ${d.message}${accepted}`;
}
