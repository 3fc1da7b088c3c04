import type { Severity } from '../interfaces/alert';

/** A condition as written (json-rules-engine's vocabulary), before lists and shared conditions are resolved. */
export interface ConditionDefinition {
  all?: ConditionDefinition[];
  any?: ConditionDefinition[];
  not?: ConditionDefinition;
  condition?: string;
  fact?: string;
  operator?: string;
  value?: unknown;
  name?: string;
}

/** One rule as written in a rule file, once the file has passed the schema. */
export interface RuleDefinition {
  id: string;
  name: string;
  description?: string;
  severity: Severity;
  tags?: string[];
  enabled?: boolean;
  match: ConditionDefinition;
  group_by?: string[];
  window: string;
  when: ConditionDefinition;
  baseline?: { windows: number; min_count?: number };
  cooldown?: string;
  resolve?: string;
  summary: string;
}

/** A rule file's data, once it has passed the schema. */
export interface RuleFileDefinition {
  lists?: Record<string, Array<string | number>>;
  conditions?: Record<string, ConditionDefinition>;
  rules?: RuleDefinition[];
}
