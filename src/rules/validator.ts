import { EVENT_FIELDS, EVENT_KINDS, isEventField } from '../interfaces/tcp-event';
import { aggregateNames, BASE_AGGREGATES, BASELINE_AGGREGATES, distinctField, isBaseAggregate, isBaselineAggregate } from './aggregates';
import { cidrProblem } from './cidr';
import { diagnostic, snippet, type Diagnostic, type SourceLocation } from './diagnostic';
import { DURATION_SYNTAX, formatDuration, MAX_DURATION_MS, MAX_WINDOW_MS, parseDuration } from './duration';
import { ADDRESS_FIELDS, CIDR_OPERATORS, MATCH_OPERATORS, MEMBERSHIP_OPERATORS, ORDER_OPERATORS, WHEN_OPERATORS } from './operators';
import type { DataPath, RuleSource } from './reader';
import type { Located, RuleCatalog } from './rule-catalog';
import type { ConditionDefinition, RuleDefinition, RuleFileDefinition } from './rule-definition';
import type { SchemaCheck } from './schema-check';

const CONDITION_FORMS = ['all', 'any', 'not', 'condition', 'fact'] as const;
const SUMMARY_PLACEHOLDER = /\{\{\s*([^}\s]+)\s*\}\}/g;

/**
 * How deep a condition may nest, counting each all/any/not and each shared condition it uses as a
 * level. Real rules use a handful; a chain of 1,500 shared conditions overflowed the stack.
 */
export const MAX_CONDITION_DEPTH = 64;
/**
 * How many fact comparisons a match or when may hold once its shared conditions are inlined (the
 * compiled match is one function with all of them). Shared conditions that each use the previous
 * one twice double per level: 22 levels took 4 million copies and the heap.
 */
export const MAX_CONDITION_FACTS = 10_000;
/**
 * The same for all the rules of a load together: 200 rules each using one shared condition of
 * 8,192 comparisons (a 46 KB file) took 4 s and 390 MB to compile.
 */
export const MAX_LOAD_FACTS = 100_000;
/**
 * How many list values (of in, notIn, inCidr, notInCidr) all the rules of a load may compare
 * with, counting a list once per rule that uses it. Each rule's compiled match and fingerprint
 * hold the values: 2,500 rules using one list of 20,000 addresses (a 900 KB file) took 24 s and
 * 3.4 GB to load.
 */
export const MAX_LOAD_VALUES = 1_000_000;

/** What a condition is evaluated against: one event's fields, or one window's aggregates. */
type Context = 'match' | 'when';

/** A checked condition's size: levels from it to its deepest fact, and its fact comparisons and list values with shared conditions inlined. */
interface Shape {
  height: number;
  facts: number;
  /** List values its in/notIn/inCidr/notInCidr facts compare with. */
  values: number;
}
const EMPTY: Shape = { height: 1, facts: 0, values: 0 };

interface Scope {
  out: Diagnostic[];
  catalog: RuleCatalog;
  ruleId?: string;
  hasBaseline: boolean;
  /** Shared conditions being expanded, to catch loops. */
  expanding: string[];
  /**
   * Shared conditions this rule has checked, by context and name, with their shape: each is
   * checked once per rule however often it is used, so checking costs the size of the text, not
   * of the expansion.
   */
  checked: Map<string, Shape>;
  /** Set when the depth limit was hit: the rest of the rule's conditions are not walked. */
  tooDeep: boolean;
  /**
   * For the whole load: the diagnostics of each list of values (a named list, or a list written
   * in a shared condition) per way it was checked, so a list used by many rules is checked once.
   */
  valueChecks: WeakMap<unknown[], Map<string, Diagnostic[]>>;
  /** Lists and conditions with structural errors, already reported: references to them are not errors again. */
  brokenNames: Set<string>;
}

/**
 * Stage 2b of the loader: the meaning of files that passed the schema, across all files at once
 * (unique ids and names, known fields, aggregates, operators, lists and shared conditions,
 * durations, summary placeholders). Parts with structural errors were already reported and are
 * skipped here so one mistake is not reported twice.
 */
export function validateMeaning(files: Array<{ source: RuleSource; schema: SchemaCheck }>): {
  catalog: RuleCatalog;
  diagnostics: Diagnostic[];
} {
  const out: Diagnostic[] = [];
  const catalog: RuleCatalog = { rules: [], lists: new Map(), conditions: new Map() };
  const where = (l: Located<unknown>): string => {
    const loc = l.source.locate(l.path, 'key');
    return `${loc.file}:${loc.line}:${loc.column}`;
  };

  // Names first, so rules in any file may use lists and conditions of any other file.
  for (const { source, schema } of files) {
    const data = sections(source, schema);
    for (const [name, values] of Object.entries(data.lists ?? {})) {
      if (schema.broken.has(`/lists/${name}`)) continue;
      const item: Located<Array<string | number>> = { value: values, source, path: ['lists', name] };
      const earlier = catalog.lists.get(name);
      if (earlier) out.push(diagnostic('list.duplicate', source.locate(item.path, 'key'), `list '${name}' is already defined at ${where(earlier)}`, { accepted: 'a name no other loaded file uses' }));
      else catalog.lists.set(name, item);
    }
    for (const [name, cond] of Object.entries(data.conditions ?? {})) {
      if (schema.broken.has(`/conditions/${name}`)) continue;
      const item: Located<ConditionDefinition> = { value: cond, source, path: ['conditions', name] };
      const earlier = catalog.conditions.get(name);
      if (earlier) out.push(diagnostic('condition.duplicate', source.locate(item.path, 'key'), `condition '${name}' is already defined at ${where(earlier)}`, { accepted: 'a name no other loaded file uses' }));
      else catalog.conditions.set(name, item);
    }
  }

  const brokenNames = new Set<string>();
  for (const { schema } of files) {
    for (const pointer of schema.broken) {
      const m = /^\/(lists|conditions)\/(.+)$/.exec(pointer);
      if (m) brokenNames.add(`${m[1]}:${m[2]}`);
    }
  }
  const ids = new Map<string, Located<RuleDefinition>>();
  const load = { facts: 0, values: 0 };
  let loadTooLarge = false;
  const valueChecks = new WeakMap<unknown[], Map<string, Diagnostic[]>>();
  for (const { source, schema } of files) {
    const data = sections(source, schema);
    if (schema.broken.size === 0 && !data.rules?.length && !data.lists && !data.conditions && source.data !== undefined) {
      out.push(diagnostic('file.no-rules', source.locate([]), 'the file defines no rules, lists or conditions'));
    }
    (data.rules ?? []).forEach((rule, index) => {
      if (schema.broken.has(`/rules/${index}`)) return;
      const item: Located<RuleDefinition> = { value: rule, source, path: ['rules', index] };
      const earlier = ids.get(rule.id);
      if (earlier) {
        out.push(
          diagnostic('rule.duplicate-id', source.locate([...item.path, 'id']), `rule id '${rule.id}' is already defined at ${where(earlier)}`, {
            ruleId: rule.id,
            accepted: 'an id no other loaded rule uses',
          }),
        );
      } else ids.set(rule.id, item);
      // A duplicate is still checked, so one load reports all of its problems.
      const before = out.length;
      const size = checkRule(item, { out, catalog, ruleId: rule.id, hasBaseline: rule.baseline !== undefined, expanding: [], checked: new Map(), tooDeep: false, valueChecks, brokenNames });
      if (out.slice(before).some((d) => d.severity === 'error')) return;
      // Past the load's limits no rule is compiled; the first rule past one says so, once.
      const facts = load.facts + size.facts;
      const values = load.values + size.values;
      if (!loadTooLarge && (facts > MAX_LOAD_FACTS || values > MAX_LOAD_VALUES)) {
        const message =
          facts > MAX_LOAD_FACTS
            ? `the loaded rules hold more than ${MAX_LOAD_FACTS} fact comparisons in all once shared conditions are inlined (this rule brings them to ${facts})`
            : `the loaded rules compare with more than ${MAX_LOAD_VALUES} list values in all, a list counting once per rule that uses it (this rule brings them to ${values})`;
        out.push(diagnostic('condition.too-large', source.locate([...item.path, 'match']), message, { ruleId: rule.id, accepted: 'fewer rules, or fewer rules using the same large shared condition or list' }));
        loadTooLarge = true;
      }
      if (loadTooLarge) return;
      load.facts = facts;
      load.values = values;
      if (!earlier) catalog.rules.push(item);
    });
  }
  return { catalog, diagnostics: dedupe(out) };
}

/** The sections of a file the schema accepted as a whole; a section with the wrong type is left out. */
function sections(source: RuleSource, schema: SchemaCheck): RuleFileDefinition {
  if (schema.broken.has('/') || source.data === null || typeof source.data !== 'object') return {};
  const data = source.data as RuleFileDefinition;
  return {
    lists: schema.broken.has('/lists') ? undefined : data.lists,
    conditions: schema.broken.has('/conditions') ? undefined : data.conditions,
    rules: schema.broken.has('/rules') ? undefined : data.rules,
  };
}

/** Shared conditions are checked at every use; report each of their problems once. */
function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.location.file}:${d.location.line}:${d.location.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks one rule; returns its fact comparisons and list values (match and when) with shared conditions inlined. */
function checkRule(item: Located<RuleDefinition>, scope: Scope): { facts: number; values: number } {
  const rule = item.value;
  const at = (...rest: DataPath): SourceLocation => item.source.locate([...item.path, ...rest]);
  const report = (code: Parameters<typeof diagnostic>[0], loc: SourceLocation, message: string, accepted?: string) =>
    scope.out.push(diagnostic(code, loc, message, { ruleId: rule.id, accepted }));

  const durations: Record<string, number | undefined> = {};
  for (const key of ['window', 'cooldown', 'resolve'] as const) {
    const text = rule[key];
    if (text === undefined) continue;
    const ms = parseDuration(text);
    const max = key === 'window' ? MAX_WINDOW_MS : MAX_DURATION_MS;
    if (ms === undefined) report('duration.invalid', at(key), `${key} '${text}' is not a duration`, DURATION_SYNTAX);
    else if (ms > max) report('duration.too-long', at(key), `${key} '${text}' is longer than ${formatDuration(max)}`, `at most ${formatDuration(max)}`);
    else durations[key] = ms;
  }
  if (durations.cooldown !== undefined && durations.window !== undefined && durations.cooldown < durations.window) {
    report('duration.cooldown-short', at('cooldown'), `cooldown ${rule.cooldown} is shorter than the window ${rule.window}: alerts repeat at most once per window`, `a cooldown of at least ${rule.window}`);
  }

  (rule.group_by ?? []).forEach((field, i) => {
    if (!isEventField(field)) report('field.unknown', at('group_by', i), `unknown event field '${field}' in group_by`, Object.keys(EVENT_FIELDS).join(', '));
  });

  let facts = 0;
  let values = 0;
  for (const context of ['match', 'when'] as const) {
    const shape = checkCondition(rule[context], { source: item.source, path: [...item.path, context] }, context, scope, 1);
    facts += shape.facts;
    values += shape.values;
    if (shape.facts > MAX_CONDITION_FACTS && !scope.tooDeep) {
      const count = Number.isFinite(shape.facts) && shape.facts < 1e15 ? String(shape.facts) : 'too many';
      report('condition.too-large', at(context), `${context} expands to ${count} fact comparisons once its shared conditions are inlined, more than ${MAX_CONDITION_FACTS}`, 'shared conditions that do not use the same condition many times over');
    }
  }

  const known = new Set<string>([...(rule.group_by ?? []).filter(isEventField), ...Object.keys(BASE_AGGREGATES), 'window']);
  if (rule.baseline) for (const k of Object.keys(BASELINE_AGGREGATES)) known.add(k);
  for (const m of rule.summary.matchAll(SUMMARY_PLACEHOLDER)) {
    const name = m[1];
    if (known.has(name) || distinctField(name)) continue;
    report(
      'summary.unknown-placeholder',
      at('summary'),
      `summary placeholder '{{${name}}}' names neither a group_by field nor an aggregate`,
      [...known].map((k) => `{{${k}}}`).join(', ') + ', {{distinct.<field>}}',
    );
  }
  return { facts, values };
}

/** Checks a condition at nesting level `depth` (1 for a rule's match or when) and returns its shape. */
function checkCondition(cond: ConditionDefinition, at: { source: RuleSource; path: DataPath }, context: Context, scope: Scope, depth: number): Shape {
  const loc = (...rest: DataPath) => at.source.locate([...at.path, ...rest]);
  const report = (code: Parameters<typeof diagnostic>[0], l: SourceLocation, message: string, accepted?: string) =>
    scope.out.push(diagnostic(code, l, message, { ruleId: scope.ruleId, accepted }));
  const tooDeep = (l: SourceLocation): Shape => {
    scope.tooDeep = true;
    const chain = scope.expanding.length > 4 ? [...scope.expanding.slice(0, 3), '…', scope.expanding[scope.expanding.length - 1]] : scope.expanding;
    const via = chain.length > 0 ? ` (through shared conditions ${chain.join(' -> ')})` : '';
    report('condition.too-deep', l, `conditions nest more than ${MAX_CONDITION_DEPTH} levels deep here${via}`, `at most ${MAX_CONDITION_DEPTH} levels of all/any/not and shared conditions`);
    return EMPTY;
  };
  if (scope.tooDeep) return EMPTY;
  if (depth > MAX_CONDITION_DEPTH) return tooDeep(loc());

  const forms = CONDITION_FORMS.filter((f) => cond[f] !== undefined);
  if (forms.length === 0) {
    report('schema.missing', loc(), 'a condition needs one of all, any, not, condition or fact', CONDITION_FORMS.join(', '));
    return EMPTY;
  }
  if (forms.length > 1) {
    report('schema.value', loc(forms[1]), `a condition cannot have both '${forms[0]}' and '${forms[1]}'`, 'one of ' + CONDITION_FORMS.join(', '));
    return EMPTY;
  }
  const form = forms[0];
  if (form === 'all' || form === 'any') {
    const shape = { height: 1, facts: 0, values: 0 };
    (cond[form] ?? []).forEach((c, i) => {
      const inner = checkCondition(c, { source: at.source, path: [...at.path, form, i] }, context, scope, depth + 1);
      shape.height = Math.max(shape.height, inner.height + 1);
      shape.facts += inner.facts;
      shape.values += inner.values;
    });
    return shape;
  }
  if (form === 'not') {
    const inner = checkCondition(cond.not as ConditionDefinition, { source: at.source, path: [...at.path, 'not'] }, context, scope, depth + 1);
    return { height: inner.height + 1, facts: inner.facts, values: inner.values };
  }
  if (form === 'condition') {
    const name = cond.condition as string;
    const shared = scope.catalog.conditions.get(name);
    if (!shared) {
      if (scope.brokenNames.has(`conditions:${name}`)) return EMPTY;
      report('condition.unknown', loc('condition'), `unknown shared condition '${name}'`, [...scope.catalog.conditions.keys()].join(', ') || 'none defined');
      return EMPTY;
    }
    if (scope.expanding.includes(name)) {
      report('condition.cycle', loc('condition'), `shared condition '${name}' refers back to itself via ${[...scope.expanding, name].join(' -> ')}`);
      return EMPTY;
    }
    const key = `${context}:${name}`;
    let inner = scope.checked.get(key);
    if (inner) {
      // Checked already elsewhere in this rule; from this depth its deepest fact may be past the limit.
      if (depth + inner.height > MAX_CONDITION_DEPTH) return tooDeep(loc('condition'));
    } else {
      scope.expanding.push(name);
      inner = checkCondition(shared.value, { source: shared.source, path: shared.path }, context, scope, depth + 1);
      scope.expanding.pop();
      if (scope.tooDeep) return EMPTY;
      scope.checked.set(key, inner);
    }
    return { height: inner.height + 1, facts: inner.facts, values: inner.values };
  }
  return { height: 1, facts: 1, values: checkFact(cond, loc, report, context, scope) };
}

function checkFact(
  cond: ConditionDefinition,
  loc: (...rest: DataPath) => SourceLocation,
  report: (code: Parameters<typeof diagnostic>[0], l: SourceLocation, message: string, accepted?: string) => void,
  context: Context,
  scope: Scope,
): number {
  for (const key of ['operator', 'value'] as const) {
    if (cond[key] === undefined) {
      report('schema.missing', loc(), `the condition on '${cond.fact}' lacks '${key}'`, 'fact, operator and value together');
      return 0;
    }
  }
  const fact = cond.fact as string;
  const operator = cond.operator as string;
  let fieldType: 'string' | 'number' = 'number';
  if (context === 'match') {
    if (!isEventField(fact)) {
      report('field.unknown', loc('fact'), `unknown event field '${fact}'`, Object.keys(EVENT_FIELDS).join(', '));
      return 0;
    }
    fieldType = EVENT_FIELDS[fact];
  } else {
    const isBaseline = isBaselineAggregate(fact);
    if (!isBaseAggregate(fact) && !isBaseline && !distinctField(fact)) {
      const hint = isEventField(fact) ? ` (event fields belong in match; in when, count them with distinct.${fact})` : '';
      report('aggregate.unknown', loc('fact'), `unknown aggregate '${fact}'${hint}`, aggregateNames(scope.hasBaseline).join(', ').replace('<field>', '<event field>'));
      return 0;
    }
    if (isBaseline && !scope.hasBaseline) {
      report('aggregate.needs-baseline', loc('fact'), `'${fact}' needs the rule to set baseline`, 'baseline: { windows: N, min_count: M } on the rule');
      return 0;
    }
  }
  const allowed = context === 'match' ? MATCH_OPERATORS : WHEN_OPERATORS;
  if (!allowed.includes(operator)) {
    report('operator.unknown', loc('operator'), `unknown operator '${operator}'${context === 'when' ? ' for an aggregate' : ''}`, allowed.join(', '));
    return 0;
  }
  const isCidr = (CIDR_OPERATORS as readonly string[]).includes(operator);
  if (isCidr && !ADDRESS_FIELDS.includes(fact)) {
    report('operator.not-for-field', loc('operator'), `'${operator}' applies to addresses, not '${fact}'`, ADDRESS_FIELDS.join(', '));
    return 0;
  }
  if ((ORDER_OPERATORS as readonly string[]).includes(operator) && fieldType !== 'number') {
    report('operator.not-for-field', loc('operator'), `'${operator}' compares numbers; '${fact}' is a ${fieldType}`, 'equal, notEqual, in, notIn' + (ADDRESS_FIELDS.includes(fact) ? ', inCidr, notInCidr' : ''));
    return 0;
  }

  // The value: a literal, a list for in/notIn/cidr, or a reference to a named list.
  let values: unknown[];
  let valueLoc = (i?: number) => (i === undefined ? loc('value') : loc('value', i));
  const raw = cond.value;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const ref = raw as { list?: unknown };
    const keys = Object.keys(raw);
    if (keys.length !== 1 || typeof ref.list !== 'string') {
      report('schema.value', loc('value'), 'a mapping as a value must be { list: NAME }', '{ list: NAME }, a literal, or a list of literals');
      return 0;
    }
    const list = scope.catalog.lists.get(ref.list);
    if (!list) {
      if (scope.brokenNames.has(`lists:${ref.list}`)) return 0;
      report('list.unknown', loc('value', 'list'), `unknown list '${ref.list}'`, [...scope.catalog.lists.keys()].join(', ') || 'none defined');
      return 0;
    }
    values = list.value;
    valueLoc = (i?: number) => (i === undefined ? list.source.locate(list.path) : list.source.locate([...list.path, i]));
  } else {
    values = Array.isArray(raw) ? raw : [raw];
  }
  const isListRef = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  const wantsList = isCidr || (MEMBERSHIP_OPERATORS as readonly string[]).includes(operator);
  if (!wantsList && (Array.isArray(raw) || isListRef)) {
    report('schema.value', loc('value'), `'${operator}' compares with one value, not a list`, 'in or notIn for a list of values');
    return 0;
  }
  if (wantsList && !isCidr && !Array.isArray(raw) && !isListRef) {
    report('schema.value', loc('value'), `'${operator}' needs a list of values`, '[a, b, ...] or { list: NAME }');
    return 0;
  }
  const array = Array.isArray(raw) || isListRef ? values : undefined;
  const how = `${operator}|${fact}|${context}`;
  const earlier = array && scope.valueChecks.get(array)?.get(how);
  if (earlier) {
    scope.out.push(...earlier);
    return values.length;
  }
  const before = scope.out.length;
  values.forEach((v, i) => {
    const index = array ? i : undefined;
    if (isCidr) {
      const problem = cidrProblem(v);
      if (problem) report('cidr.invalid', valueLoc(index), problem, 'an address (10.0.0.1, ::1) or a CIDR block (10.0.0.0/8, fd00::/8)');
      return;
    }
    if (typeof v !== fieldType) {
      report('field.value-type', valueLoc(index), `${snippet(v)} is not a ${fieldType}, the type of '${fact}'`, `a ${fieldType}`);
      return;
    }
    if (context === 'match' && fact === 'kind' && !(EVENT_KINDS as readonly string[]).includes(v as string)) {
      report('kind.unknown', valueLoc(index), `unknown event kind '${String(v)}'`, EVENT_KINDS.join(', '));
    }
  });
  if (array) {
    const checks = scope.valueChecks.get(array) ?? new Map<string, Diagnostic[]>();
    checks.set(how, scope.out.slice(before));
    scope.valueChecks.set(array, checks);
  }
  return wantsList ? values.length : 0;
}
