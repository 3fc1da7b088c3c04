/** The embedding API: `import { ... } from 'tcpwarden'`. */
export * from './interfaces/tcp-event';
export * from './interfaces/alert';
export { UserError } from './errors/user-error';
export { loadRules, loadRuleTexts } from './rules/loader';
export type { LoadResult } from './rules/load-result';
export { formatLoadResult } from './rules/load-result';
export type { Diagnostic, SourceLocation } from './rules/diagnostic';
export { formatDiagnostic } from './rules/diagnostic';
export { DIAGNOSTIC_CODES, type DiagnosticCode } from './rules/diagnostic-code';
export type { CompiledRule } from './rules/compiled-rule';
export { Engine } from './engine/engine';
export type { EngineOptions } from './engine/engine-options';
export type { EngineState, RuleState } from './engine/engine-state';
export type { RuleStats } from './engine/rule-stats';
export { groupKeyOf } from './engine/group-key';
export { RuleReloader } from './engine/rule-reloader';
export { replayEvents } from './replay/replay-events';
