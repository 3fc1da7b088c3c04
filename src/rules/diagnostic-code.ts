/**
 * Every error and warning a rule load can report, with a stable code users can search for.
 * A `Record` keyed by the code union makes a code without a description a compile error, so the
 * table and the codes cannot drift apart.
 */
export type DiagnosticCode =
  | 'file.unreadable'
  | 'file.no-rules'
  | 'file.too-large'
  | 'file.encoding'
  | 'file.loop'
  | 'yaml.syntax'
  | 'yaml.aliases'
  | 'yaml.too-deep'
  | 'schema.missing'
  | 'schema.unknown-key'
  | 'schema.type'
  | 'schema.value'
  | 'rule.duplicate-id'
  | 'rule.no-kind'
  | 'duration.invalid'
  | 'duration.cooldown-short'
  | 'duration.too-long'
  | 'field.unknown'
  | 'field.value-type'
  | 'kind.unknown'
  | 'aggregate.unknown'
  | 'aggregate.needs-baseline'
  | 'operator.unknown'
  | 'operator.not-for-field'
  | 'list.unknown'
  | 'list.duplicate'
  | 'condition.unknown'
  | 'condition.duplicate'
  | 'condition.cycle'
  | 'condition.too-deep'
  | 'condition.too-large'
  | 'cidr.invalid'
  | 'summary.unknown-placeholder'
  | 'config.unreadable'
  | 'config.role-needs-redis'
  | 'config.redis-url'
  | 'config.ring-bytes'
  | 'config.metrics-address'
  | 'config.rules-path'
  | 'config.alerts';

export type DiagnosticSeverity = 'error' | 'warning';

export const DIAGNOSTIC_CODES: Record<DiagnosticCode, { severity: DiagnosticSeverity; about: string }> = {
  'file.unreadable': { severity: 'error', about: 'a rule path cannot be read' },
  'file.no-rules': { severity: 'warning', about: 'a rule file defines no rules, lists or conditions' },
  'file.too-large': { severity: 'error', about: 'a rule or config file is larger than 1 MiB (checked before it is read)' },
  'file.encoding': { severity: 'error', about: 'a rule or config file is not UTF-8 text' },
  'file.loop': { severity: 'error', about: 'a rule directory contains itself through a symbolic link' },
  'yaml.syntax': { severity: 'error', about: 'the file is not valid YAML' },
  'yaml.aliases': { severity: 'error', about: 'YAML aliases expand to too much data (an alias bomb)' },
  'yaml.too-deep': { severity: 'error', about: 'flow collections ([ ], { }) nest more than 64 levels deep' },
  'schema.missing': { severity: 'error', about: 'a required key is missing' },
  'schema.unknown-key': { severity: 'error', about: 'a key the rule language does not define' },
  'schema.type': { severity: 'error', about: 'a value has the wrong type' },
  'schema.value': { severity: 'error', about: 'a value is outside what the key accepts' },
  'rule.duplicate-id': { severity: 'error', about: 'two rules share an id (ids are unique across all loaded files)' },
  'rule.no-kind': { severity: 'warning', about: "a rule's match does not restrict the event kind, so every event is tested" },
  'duration.invalid': { severity: 'error', about: 'a duration is not a positive number with a unit' },
  'duration.cooldown-short': { severity: 'warning', about: 'a cooldown shorter than the window cannot take effect' },
  'duration.too-long': { severity: 'error', about: 'a duration longer than its maximum (a window 1d, any other duration 7d)' },
  'field.unknown': { severity: 'error', about: 'an event field that does not exist' },
  'field.value-type': { severity: 'error', about: "a compared value does not have the event field's type" },
  'kind.unknown': { severity: 'error', about: 'an event kind that does not exist' },
  'aggregate.unknown': { severity: 'error', about: 'a window aggregate that does not exist' },
  'aggregate.needs-baseline': { severity: 'error', about: 'spike/baseline used by a rule without a baseline setting' },
  'operator.unknown': { severity: 'error', about: 'an operator the rule language does not define' },
  'operator.not-for-field': { severity: 'error', about: 'an operator that cannot apply to this field' },
  'list.unknown': { severity: 'error', about: 'a reference to a list no loaded file defines' },
  'list.duplicate': { severity: 'error', about: 'two lists share a name' },
  'condition.unknown': { severity: 'error', about: 'a reference to a shared condition no loaded file defines' },
  'condition.duplicate': { severity: 'error', about: 'two shared conditions share a name' },
  'condition.cycle': { severity: 'error', about: 'shared conditions refer to each other in a loop' },
  'condition.too-deep': { severity: 'error', about: 'a condition nests more than 64 levels deep, counting the shared conditions it uses' },
  'condition.too-large': { severity: 'error', about: 'a match or when expands to more than 10,000 fact comparisons once shared conditions are inlined, or all loaded rules to more than 100,000 (or 1,000,000 list values)' },
  'cidr.invalid': { severity: 'error', about: 'a value given to inCidr/notInCidr is not an address or CIDR block' },
  'summary.unknown-placeholder': { severity: 'error', about: 'a summary placeholder names nothing the alert has' },
  'config.unreadable': { severity: 'error', about: 'the config file cannot be read' },
  'config.role-needs-redis': { severity: 'error', about: 'role collector or engine without a redis section: split roles meet only in Redis' },
  'config.redis-url': { severity: 'error', about: 'redis.url is not a redis:// or rediss:// URL without a password' },
  'config.ring-bytes': { severity: 'error', about: 'collector.ringBytes is not a power of two' },
  'config.metrics-address': { severity: 'error', about: 'metrics.address is not HOST:PORT, :PORT or PORT' },
  'config.rules-path': { severity: 'error', about: 'a rule path in the config does not exist' },
  'config.alerts': { severity: 'error', about: 'the alerts section is invalid (sinks, delivery, burst)' },
};
