import { AlertsConfigError } from '../errors/alerts-config-error';
import { SEVERITIES } from '../interfaces/alert';
import type { DataPath } from '../rules/reader';
import type { Identified, SecretSource, SinkConfig, ValidAlertsConfig } from './sink-config';
import { defaultAlertmanagerSinkId, defaultWebhookSinkId } from './sink-id';
import { PLACEHOLDER, templateProblems } from './template-paths';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FORMATS = ['json', 'slack', 'alertmanager-webhook', 'alertmanager', 'template'];
const FILTER_KEYS = ['minSeverity', 'rules', 'tags', 'resolved'];
const KEYS: Record<SinkConfig['type'], string[]> = {
  webhook: ['type', 'id', 'url', 'format', 'template', 'contentType', 'secret', 'headers', 'timeoutMs', ...FILTER_KEYS],
  alertmanager: ['type', 'id', 'url', 'urls', 'generatorUrl', 'resendIntervalMs', 'maxFiring', 'forgetAfterMs', 'basicAuth', 'bearerToken', 'secret', 'headers', 'timeoutMs', ...FILTER_KEYS],
  stdout: ['type', 'id', 'json', ...FILTER_KEYS],
};
const TYPES = Object.keys(KEYS);
const DELIVERY_NUMBERS = ['maxAttempts', 'backoffMs', 'maxBackoffMs', 'maxPending', 'concurrency', 'dedupTtlMs'];
const BURST_NUMBERS = ['intervalMs', 'maxGroups', 'topGroups'];

/** One problem of an alerts section: where (a data path from the config's root), and what is wrong. */
export interface AlertsProblem {
  path: DataPath;
  message: string;
  /** The problem is the key itself (an unknown key), not its value. */
  part?: 'key';
}

/** `['alerts', 'sinks', 1, 'url']` -> `alerts.sinks[1].url`. */
export function formatAlertsPath(path: DataPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function unknownKeys(o: Obj, allowed: string[], at: DataPath, problems: AlertsProblem[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) problems.push({ path: [...at, k], message: `unknown key (expected one of ${allowed.join(', ')})`, part: 'key' });
}

function positiveInts(o: Obj, keys: string[], at: DataPath, problems: AlertsProblem[]): void {
  for (const k of keys) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) > 0)) problems.push({ path: [...at, k], message: 'must be a positive integer' });
  }
}

function stringList(v: unknown, at: DataPath, problems: AlertsProblem[]): void {
  if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '')))
    problems.push({ path: at, message: 'must be a list of non-empty strings' });
}

function secretSource(v: unknown, at: DataPath, problems: AlertsProblem[]): void {
  if (!isObj(v)) return void problems.push({ path: at, message: 'must be { env: NAME } or { file: PATH }' });
  unknownKeys(v, ['env', 'file'], at, problems);
  const s = v as SecretSource;
  const given = [s.env, s.file].filter((x) => x !== undefined);
  if (given.length !== 1 || given.some((x) => typeof x !== 'string' || x === ''))
    problems.push({ path: at, message: 'give exactly one of env (a variable name) or file (a path)' });
}

function httpUrl(v: unknown, at: DataPath, problems: AlertsProblem[]): void {
  let url: URL | undefined;
  try {
    url = typeof v === 'string' ? new URL(v) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) problems.push({ path: at, message: `must be an http:// or https:// URL` });
}

function validateSink(raw: unknown, at: DataPath, problems: AlertsProblem[]): Identified<SinkConfig> | undefined {
  if (!isObj(raw)) return void problems.push({ path: at, message: 'must be a mapping with a type' });
  const type = raw.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) return void problems.push({ path: [...at, 'type'], message: `must be one of ${TYPES.join(', ')}` });
  unknownKeys(raw, KEYS[type as SinkConfig['type']], at, problems);
  if (raw.id !== undefined && !(typeof raw.id === 'string' && /^[A-Za-z0-9_.-]+$/.test(raw.id)))
    problems.push({ path: [...at, 'id'], message: `letters, digits, '_', '.', '-' only` });
  if (raw.minSeverity !== undefined && !(SEVERITIES as readonly unknown[]).includes(raw.minSeverity))
    problems.push({ path: [...at, 'minSeverity'], message: `must be one of ${SEVERITIES.join(', ')}` });
  stringList(raw.rules, [...at, 'rules'], problems);
  stringList(raw.tags, [...at, 'tags'], problems);
  if (raw.resolved !== undefined && typeof raw.resolved !== 'boolean') problems.push({ path: [...at, 'resolved'], message: `must be true or false` });
  if (type === 'stdout') {
    if (raw.json !== undefined && typeof raw.json !== 'boolean') problems.push({ path: [...at, 'json'], message: `must be true or false` });
    return { ...(raw as unknown as Identified<SinkConfig>), id: (raw.id as string | undefined) ?? 'stdout' };
  }
  if (type === 'alertmanager') return validateAlertmanager(raw, at, problems);
  httpUrl(raw.url, [...at, 'url'], problems);
  const format = raw.format ?? 'json';
  if (!FORMATS.includes(format as string)) problems.push({ path: [...at, 'format'], message: `must be one of ${FORMATS.join(', ')}` });
  if (format === 'template') {
    if (typeof raw.template !== 'string' || raw.template === '') problems.push({ path: [...at, 'template'], message: `required with format: template` });
    else for (const p of templateProblems(raw.template)) problems.push({ path: [...at, 'template'], message: p });
  } else if (raw.template !== undefined) problems.push({ path: [...at, 'template'], message: `only with format: template` });
  if (raw.contentType !== undefined && (typeof raw.contentType !== 'string' || format !== 'template'))
    problems.push({ path: [...at, 'contentType'], message: `a string, only with format: template (the other formats are JSON)` });
  httpOptions(raw, at, problems);
  return { ...(raw as unknown as Identified<SinkConfig>), id: (raw.id as string | undefined) ?? defaultWebhookSinkId(String(raw.url)) };
}

/** An alertmanager sink's own keys (the common ones are checked by validateSink). */
function validateAlertmanager(raw: Obj, at: DataPath, problems: AlertsProblem[]): Identified<SinkConfig> {
  let urls: string[] = [];
  if (raw.url === undefined && raw.urls === undefined)
    problems.push({ path: at, message: 'needs url (one Alertmanager) or urls (each member of an HA cluster)' });
  else if (raw.url !== undefined && raw.urls !== undefined) problems.push({ path: [...at, 'urls'], message: 'give url or urls, not both' });
  else if (raw.url !== undefined) {
    httpUrl(raw.url, [...at, 'url'], problems);
    urls = [String(raw.url)];
  } else if (!Array.isArray(raw.urls) || raw.urls.length === 0) problems.push({ path: [...at, 'urls'], message: 'must be a non-empty list of URLs' });
  else {
    raw.urls.forEach((u, i) => httpUrl(u, [...at, 'urls', i], problems));
    urls = raw.urls.map(String);
    if (new Set(urls).size !== urls.length) problems.push({ path: [...at, 'urls'], message: 'a URL is listed twice' });
  }
  if (raw.generatorUrl !== undefined) {
    const g = [...at, 'generatorUrl'];
    if (typeof raw.generatorUrl !== 'string') problems.push({ path: g, message: 'must be a URL, with {{field.path}} placeholders if wanted' });
    else {
      for (const p of templateProblems(raw.generatorUrl)) problems.push({ path: g, message: p });
      httpUrl(raw.generatorUrl.replace(PLACEHOLDER, 'x'), g, problems);
    }
  }
  positiveInts(raw, ['resendIntervalMs', 'maxFiring', 'forgetAfterMs'], at, problems);
  if (raw.resolved === false)
    problems.push({ path: [...at, 'resolved'], message: "Alertmanager needs resolutions to end alerts: set send_resolved: false in its receivers instead" });
  if (raw.basicAuth !== undefined) {
    const b = [...at, 'basicAuth'];
    if (!isObj(raw.basicAuth)) problems.push({ path: b, message: 'must be { username, password: { env: NAME } or { file: PATH } }' });
    else {
      unknownKeys(raw.basicAuth, ['username', 'password'], b, problems);
      const user = raw.basicAuth.username;
      if (typeof user !== 'string' || user === '' || user.includes(':')) problems.push({ path: [...b, 'username'], message: "a non-empty string without ':'" });
      secretSource(raw.basicAuth.password, [...b, 'password'], problems);
    }
  }
  if (raw.bearerToken !== undefined) secretSource(raw.bearerToken, [...at, 'bearerToken'], problems);
  const auths = [raw.basicAuth !== undefined && 'basicAuth', raw.bearerToken !== undefined && 'bearerToken',
    isObj(raw.headers) && Object.keys(raw.headers).some((h) => /^authorization$/i.test(h)) && 'headers.Authorization'].filter(Boolean);
  if (auths.length > 1) problems.push({ path: at, message: `${auths.join(' and ')} both set Authorization: give one` });
  httpOptions(raw, at, problems);
  return { ...(raw as unknown as Identified<SinkConfig>), id: (raw.id as string | undefined) ?? defaultAlertmanagerSinkId(urls) };
}

/** The keys webhook and alertmanager sinks share: secret, headers, timeoutMs. */
function httpOptions(raw: Obj, at: DataPath, problems: AlertsProblem[]): void {
  if (raw.secret !== undefined) secretSource(raw.secret, [...at, 'secret'], problems);
  if (raw.headers !== undefined) {
    if (!isObj(raw.headers)) problems.push({ path: [...at, 'headers'], message: `must be a mapping of header name to value` });
    else
      for (const [name, v] of Object.entries(raw.headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) problems.push({ path: [...at, 'headers'], message: `'${name}' is not a header name` });
        else if (/^webhook-/i.test(name)) problems.push({ path: [...at, 'headers', name], message: 'webhook-* headers are set by the signing', part: 'key' });
        else if (/^(host|content-length|transfer-encoding|connection)$/i.test(name))
          problems.push({ path: [...at, 'headers', name], message: 'set by the HTTP client, not configurable', part: 'key' });
        if (typeof v !== 'string') secretSource(v, [...at, 'headers', name], problems);
      }
  }
  positiveInts(raw, ['timeoutMs'], at, problems);
}

/**
 * Checks the alerts section of a config and fills in sink ids, collecting every problem with its
 * data path, so the config loader can point at each one in the YAML text. `config` only when
 * there is no problem.
 */
export function checkAlertsConfig(raw: unknown): { config?: ValidAlertsConfig; problems: AlertsProblem[] } {
  const problems: AlertsProblem[] = [];
  const at: DataPath = ['alerts'];
  if (!isObj(raw)) return { problems: [{ path: at, message: 'must be a mapping with a sinks list' }] };
  unknownKeys(raw, ['sinks', 'delivery', 'burst'], at, problems);
  const sinks: Identified<SinkConfig>[] = [];
  if (!Array.isArray(raw.sinks) || raw.sinks.length === 0) problems.push({ path: [...at, 'sinks'], message: 'must be a non-empty list' });
  else
    raw.sinks.forEach((s, i) => {
      const sink = validateSink(s, [...at, 'sinks', i], problems);
      if (sink) sinks.push(sink);
    });
  const ids = sinks.map((s) => s.id);
  const explicit = new Set(Array.isArray(raw.sinks) ? raw.sinks.filter(isObj).map((s) => s.id) : []);
  for (const id of new Set(ids))
    if (ids.filter((x) => x === id).length > 1)
      problems.push({
        path: [...at, 'sinks'],
        message:
          explicit.has(id) || !/^(webhook|alertmanager)-/.test(id)
            ? `id '${id}' is used twice: give each sink its own id`
            : 'two sinks have the same URL: give each an id',
      });
  if (raw.delivery !== undefined) {
    const d = [...at, 'delivery'];
    if (!isObj(raw.delivery)) problems.push({ path: d, message: 'must be a mapping' });
    else {
      unknownKeys(raw.delivery, ['redisUrl', 'stateDir', ...DELIVERY_NUMBERS], d, problems);
      positiveInts(raw.delivery, DELIVERY_NUMBERS, d, problems);
      for (const k of ['redisUrl', 'stateDir'])
        if (raw.delivery[k] !== undefined && (typeof raw.delivery[k] !== 'string' || raw.delivery[k] === ''))
          problems.push({ path: [...d, k], message: 'must be a non-empty string' });
    }
  }
  if (raw.burst !== undefined) {
    const b = [...at, 'burst'];
    if (!isObj(raw.burst)) problems.push({ path: b, message: 'must be a mapping' });
    else {
      unknownKeys(raw.burst, BURST_NUMBERS, b, problems);
      positiveInts(raw.burst, BURST_NUMBERS, b, problems);
    }
  }
  return problems.length > 0 ? { problems } : { config: { ...(raw as unknown as ValidAlertsConfig), sinks }, problems };
}

/** checkAlertsConfig for callers without a YAML text: every problem as `path: message`, thrown together as one AlertsConfigError. */
export function validateAlertsConfig(raw: unknown): ValidAlertsConfig {
  const { config, problems } = checkAlertsConfig(raw);
  if (!config) throw new AlertsConfigError(problems.map((p) => `${formatAlertsPath(p.path)}: ${p.message}`));
  return config;
}
