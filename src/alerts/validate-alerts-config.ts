import { AlertsConfigError } from '../errors/alerts-config-error';
import { SEVERITIES } from '../interfaces/alert';
import type { Identified, SecretSource, SinkConfig, ValidAlertsConfig } from './sink-config';
import { defaultWebhookSinkId } from './sink-id';
import { templateProblems } from './template-paths';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FORMATS = ['json', 'slack', 'alertmanager', 'template'];
const FILTER_KEYS = ['minSeverity', 'rules', 'tags', 'resolved'];
const KEYS: Record<SinkConfig['type'], string[]> = {
  webhook: ['type', 'id', 'url', 'format', 'template', 'contentType', 'secret', 'headers', 'timeoutMs', ...FILTER_KEYS],
  stdout: ['type', 'id', 'json', ...FILTER_KEYS],
};
const DELIVERY_NUMBERS = ['maxAttempts', 'backoffMs', 'maxBackoffMs', 'maxPending', 'concurrency', 'dedupTtlMs'];
const BURST_NUMBERS = ['intervalMs', 'maxGroups', 'topGroups'];

function unknownKeys(o: Obj, allowed: string[], at: string, problems: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) problems.push(`${at}.${k}: unknown key (expected one of ${allowed.join(', ')})`);
}

function positiveInts(o: Obj, keys: string[], at: string, problems: string[]): void {
  for (const k of keys) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) > 0)) problems.push(`${at}.${k}: must be a positive integer`);
  }
}

function stringList(v: unknown, at: string, problems: string[]): void {
  if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '')))
    problems.push(`${at}: must be a list of non-empty strings`);
}

function secretSource(v: unknown, at: string, problems: string[]): void {
  if (!isObj(v)) return void problems.push(`${at}: must be { env: NAME } or { file: PATH }`);
  unknownKeys(v, ['env', 'file'], at, problems);
  const s = v as SecretSource;
  const given = [s.env, s.file].filter((x) => x !== undefined);
  if (given.length !== 1 || given.some((x) => typeof x !== 'string' || x === ''))
    problems.push(`${at}: give exactly one of env (a variable name) or file (a path)`);
}

function validateSink(raw: unknown, at: string, problems: string[]): Identified<SinkConfig> | undefined {
  if (!isObj(raw)) return void problems.push(`${at}: must be a mapping with a type`);
  const type = raw.type;
  if (type !== 'webhook' && type !== 'stdout') return void problems.push(`${at}.type: must be webhook or stdout`);
  unknownKeys(raw, KEYS[type], at, problems);
  if (raw.id !== undefined && !(typeof raw.id === 'string' && /^[A-Za-z0-9_.-]+$/.test(raw.id)))
    problems.push(`${at}.id: letters, digits, '_', '.', '-' only`);
  if (raw.minSeverity !== undefined && !(SEVERITIES as readonly unknown[]).includes(raw.minSeverity))
    problems.push(`${at}.minSeverity: must be one of ${SEVERITIES.join(', ')}`);
  stringList(raw.rules, `${at}.rules`, problems);
  stringList(raw.tags, `${at}.tags`, problems);
  if (raw.resolved !== undefined && typeof raw.resolved !== 'boolean') problems.push(`${at}.resolved: must be true or false`);
  if (type === 'stdout') {
    if (raw.json !== undefined && typeof raw.json !== 'boolean') problems.push(`${at}.json: must be true or false`);
    return { ...(raw as unknown as Identified<SinkConfig>), id: (raw.id as string | undefined) ?? 'stdout' };
  }
  let url: URL | undefined;
  try {
    url = typeof raw.url === 'string' ? new URL(raw.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) problems.push(`${at}.url: must be an http:// or https:// URL`);
  const format = raw.format ?? 'json';
  if (!FORMATS.includes(format as string)) problems.push(`${at}.format: must be one of ${FORMATS.join(', ')}`);
  if (format === 'template') {
    if (typeof raw.template !== 'string' || raw.template === '') problems.push(`${at}.template: required with format: template`);
    else for (const p of templateProblems(raw.template)) problems.push(`${at}.template: ${p}`);
  } else if (raw.template !== undefined) problems.push(`${at}.template: only with format: template`);
  if (raw.contentType !== undefined && (typeof raw.contentType !== 'string' || format !== 'template'))
    problems.push(`${at}.contentType: a string, only with format: template (the other formats are JSON)`);
  if (raw.secret !== undefined) secretSource(raw.secret, `${at}.secret`, problems);
  if (raw.headers !== undefined) {
    if (!isObj(raw.headers)) problems.push(`${at}.headers: must be a mapping of header name to value`);
    else
      for (const [name, v] of Object.entries(raw.headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) problems.push(`${at}.headers: '${name}' is not a header name`);
        else if (/^webhook-/i.test(name)) problems.push(`${at}.headers.${name}: webhook-* headers are set by the signing`);
        else if (/^(host|content-length|transfer-encoding|connection)$/i.test(name))
          problems.push(`${at}.headers.${name}: set by the HTTP client, not configurable`);
        if (typeof v !== 'string') secretSource(v, `${at}.headers.${name}`, problems);
      }
  }
  positiveInts(raw, ['timeoutMs'], at, problems);
  return { ...(raw as unknown as Identified<SinkConfig>), id: (raw.id as string | undefined) ?? defaultWebhookSinkId(String(raw.url)) };
}

/**
 * Checks the alerts section of a config and fills in sink ids. Every problem is collected, each with
 * its path (`sinks[1].url: ...`), and thrown together as one AlertsConfigError.
 */
export function validateAlertsConfig(raw: unknown): ValidAlertsConfig {
  const problems: string[] = [];
  if (!isObj(raw)) throw new AlertsConfigError(['alerts: must be a mapping with a sinks list']);
  unknownKeys(raw, ['sinks', 'delivery', 'burst'], 'alerts', problems);
  const sinks: Identified<SinkConfig>[] = [];
  if (!Array.isArray(raw.sinks) || raw.sinks.length === 0) problems.push('alerts.sinks: must be a non-empty list');
  else
    raw.sinks.forEach((s, i) => {
      const sink = validateSink(s, `alerts.sinks[${i}]`, problems);
      if (sink) sinks.push(sink);
    });
  const ids = sinks.map((s) => s.id);
  const explicit = new Set(Array.isArray(raw.sinks) ? raw.sinks.filter(isObj).map((s) => s.id) : []);
  for (const id of new Set(ids))
    if (ids.filter((x) => x === id).length > 1)
      problems.push(
        explicit.has(id) || !id.startsWith('webhook-')
          ? `alerts.sinks: id '${id}' is used twice: give each sink its own id`
          : 'alerts.sinks: two webhooks have the same URL: give each an id',
      );
  if (raw.delivery !== undefined) {
    if (!isObj(raw.delivery)) problems.push('alerts.delivery: must be a mapping');
    else {
      unknownKeys(raw.delivery, ['redisUrl', 'stateDir', ...DELIVERY_NUMBERS], 'alerts.delivery', problems);
      positiveInts(raw.delivery, DELIVERY_NUMBERS, 'alerts.delivery', problems);
      for (const k of ['redisUrl', 'stateDir'])
        if (raw.delivery[k] !== undefined && (typeof raw.delivery[k] !== 'string' || raw.delivery[k] === ''))
          problems.push(`alerts.delivery.${k}: must be a non-empty string`);
    }
  }
  if (raw.burst !== undefined) {
    if (!isObj(raw.burst)) problems.push('alerts.burst: must be a mapping');
    else {
      unknownKeys(raw.burst, BURST_NUMBERS, 'alerts.burst', problems);
      positiveInts(raw.burst, BURST_NUMBERS, 'alerts.burst', problems);
    }
  }
  if (problems.length > 0) throw new AlertsConfigError(problems);
  return { ...(raw as unknown as ValidAlertsConfig), sinks };
}
