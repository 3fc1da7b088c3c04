import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schema/rules.schema.json';
import { diagnostic, snippet, type Diagnostic } from './diagnostic';
import type { DataPath, RuleSource } from './reader';

/** One Ajv for every schema a YAML file is checked against (rules here, the run config in src/config). */
export const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateRules = ajv.compile(schema);

/** The schema check's verdict on one file: its diagnostics, and which parts failed (their JSON pointers). */
export interface SchemaCheck {
  diagnostics: Diagnostic[];
  /** JSON pointers (`/rules/3`, `/lists/x`, `/conditions/y`) of the parts with structural errors. */
  broken: Set<string>;
}

/**
 * Stage 2a of the loader: the file's structure against schema/rules.schema.json (the same schema
 * editors use), each error located in the source and phrased as what is wrong and what is accepted.
 * The config loader passes its own schema's `validate`.
 */
export function checkSchema(source: RuleSource, validate: ValidateFunction = validateRules): SchemaCheck {
  const diagnostics: Diagnostic[] = [];
  const broken = new Set<string>();
  if (source.data === undefined || source.data === null) return { diagnostics, broken };
  if (validate(source.data)) return { diagnostics, broken };
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const d = toDiagnostic(source, err, validate === validateRules);
    if (!d) continue;
    const text = `${d.location.line}:${d.location.column}:${d.message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    diagnostics.push(d);
    const path = pointerPath(err.instancePath);
    broken.add('/' + path.slice(0, 2).join('/'));
  }
  return { diagnostics, broken };
}

function pointerPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function ruleIdAt(source: RuleSource, path: DataPath): string | undefined {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
  const rules = (source.data as { rules?: unknown[] }).rules;
  const rule = rules?.[path[1]] as { id?: unknown } | undefined;
  return typeof rule?.id === 'string' ? rule.id : undefined;
}

/** How a message names the thing at `path`: `'window'`, `rule 2`, `item 3 of 'tags'`, `the file`. */
/** `ruleItems`: items of a top-level `rules` list are rules (in a rule file; in the run config they are paths). */
function describeAt(path: DataPath, ruleItems: boolean): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the file';
  if (typeof last === 'string') return `'${last}'`;
  const parent = path[path.length - 2];
  return ruleItems && parent === 'rules' && path.length === 2 ? `rule ${last + 1}` : `item ${last + 1} of ${describeAt(path.slice(0, -1), ruleItems)}`;
}

/** `hide`: the schema marks the value `writeOnly` (a secret), so an error must not repeat it. */
function typeOf(v: unknown, hide = false): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return hide ? `a ${typeof v} (value not shown)` : `${typeof v} ${snippet(v)}`;
}

function toDiagnostic(source: RuleSource, err: ErrorObject, ruleItems: boolean): Diagnostic | undefined {
  const describe = (p: DataPath) => describeAt(p, ruleItems);
  const path = pointerPath(err.instancePath);
  const ruleId = ruleIdAt(source, path);
  const extra = (accepted?: string) => ({ ruleId, accepted });
  const parentSchema = err.parentSchema as { properties?: Record<string, unknown>; description?: string; writeOnly?: boolean } | undefined;
  switch (err.keyword) {
    case 'required': {
      const key = (err.params as { missingProperty: string }).missingProperty;
      const wanted = parentSchema?.properties?.[key] as { description?: string } | undefined;
      return diagnostic('schema.missing', source.locate(path, 'key'), `${describe(path)} lacks the required key '${key}'`, extra(wanted?.description && `${key}: ${wanted.description}`));
    }
    case 'additionalProperties': {
      const key = (err.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(parentSchema?.properties ?? {}).join(', ');
      return diagnostic('schema.unknown-key', source.locate([...path, key], 'key'), `unknown key '${key}'`, extra(known));
    }
    case 'type': {
      const want = (err.params as { type: string | string[] }).type;
      const wanted = (Array.isArray(want) ? want : [want]).map((t) => (t === 'object' ? 'mapping' : t === 'array' ? 'list' : t));
      return diagnostic(
        'schema.type',
        source.locate(path),
        `${describe(path)} must be a ${wanted.join(' or ')}, not ${typeOf(err.data, parentSchema?.writeOnly)}`,
        extra(parentSchema?.description),
      );
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return diagnostic('schema.value', source.locate(path), `${describe(path)} cannot be ${snippet(err.data)}`, extra(allowed));
    }
    case 'pattern': {
      const name = (err as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return diagnostic('schema.value', source.locate([...path, name], 'key'), `the name ${snippet(name)} is not allowed in ${describe(path)}`, extra(parentSchema?.description));
      }
      return diagnostic('schema.value', source.locate(path), `${describe(path)} cannot be ${snippet(err.data)}`, extra(parentSchema?.description));
    }
    case 'minItems':
      return diagnostic('schema.value', source.locate(path), `${describe(path)} must not be empty`, extra('at least one item'));
    case 'propertyNames':
      // Reported again by the 'pattern' error on the name itself, which carries the offending name.
      return undefined;
    default:
      return diagnostic('schema.value', source.locate(path), `${describe(path)} ${err.message ?? 'is invalid'}`, extra(parentSchema?.description));
  }
}
