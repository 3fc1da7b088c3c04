import type { ConditionDefinition, RuleDefinition } from './rule-definition';
import type { DataPath, RuleSource } from './reader';

/** A definition together with where it was written, so later stages can still point at it. */
export interface Located<T> {
  value: T;
  source: RuleSource;
  path: DataPath;
}

/** Everything the loaded files define, merged across files: the validator's output, the compiler's input. */
export interface RuleCatalog {
  rules: Array<Located<RuleDefinition>>;
  lists: Map<string, Located<Array<string | number>>>;
  conditions: Map<string, Located<ConditionDefinition>>;
}
