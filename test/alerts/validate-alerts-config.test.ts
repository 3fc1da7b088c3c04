import { validateAlertsConfig } from '../../src/alerts/validate-alerts-config';
import { AlertsConfigError } from '../../src/errors/alerts-config-error';

test('a valid config gets sink ids: given, stdout, or a URL hash that does not show the URL', () => {
  const c = validateAlertsConfig({
    sinks: [
      { type: 'webhook', id: 'slack', url: 'https://hooks.slack.com/services/T/B/XYZ', format: 'slack', minSeverity: 'high' },
      { type: 'webhook', url: 'https://example.test/hook?token=abc', secret: { env: 'HOOK_SECRET' }, headers: { Authorization: { file: '/run/token' } } },
      { type: 'stdout', json: true },
    ],
    delivery: { maxAttempts: 5 },
    burst: { maxGroups: 3 },
  });
  expect(c.sinks.map((s) => s.id)).toEqual(['slack', expect.stringMatching(/^webhook-[0-9a-f]{12}$/), 'stdout']);
  expect(c.sinks[1].id).not.toContain('abc');
});

test('every problem is reported with its path, at once', () => {
  let err: unknown;
  try {
    validateAlertsConfig({
      sinks: [
        { type: 'webhook', url: 'ftp://x', format: 'xml', minSeverity: 'urgent', secret: { env: 'A', file: 'B' }, headers: { 'webhook-id': 'x', 'Content-Length': '1' }, timeoutMs: -1 },
        { type: 'webhook', url: 'http://x', format: 'template', template: '{{process.env}}' },
        { type: 'webhook', url: 'http://y', contentType: 'text/plain' },
        { type: 'pager' },
        { type: 'stdout', colour: true },
      ],
      delivery: { maxAttempts: 0 },
    });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AlertsConfigError);
  const e = err as AlertsConfigError;
  expect(e.code).toBe('ALERTS_CONFIG_INVALID');
  expect(e.problems).toEqual([
    'alerts.sinks[0].minSeverity: must be one of info, low, medium, high, critical',
    'alerts.sinks[0].url: must be an http:// or https:// URL',
    'alerts.sinks[0].format: must be one of json, slack, alertmanager-webhook, alertmanager, template',
    'alerts.sinks[0].secret: give exactly one of env (a variable name) or file (a path)',
    'alerts.sinks[0].headers.webhook-id: webhook-* headers are set by the signing',
    'alerts.sinks[0].headers.Content-Length: set by the HTTP client, not configurable',
    'alerts.sinks[0].timeoutMs: must be a positive integer',
    expect.stringContaining('alerts.sinks[1].template: placeholder {{process.env}} starts with an unknown alert field'),
    'alerts.sinks[2].contentType: a string, only with format: template (the other formats are JSON)',
    'alerts.sinks[3].type: must be one of webhook, alertmanager, stdout',
    expect.stringContaining('alerts.sinks[4].colour: unknown key'),
    'alerts.delivery.maxAttempts: must be a positive integer',
  ]);
});

test('two sinks with one id are refused, said plainly when the ids come from one URL', () => {
  expect(() => validateAlertsConfig({ sinks: [{ type: 'stdout' }, { type: 'stdout' }] })).toThrow("id 'stdout' is used twice");
  const sameUrl = { type: 'webhook', url: 'https://hooks.example/x' };
  expect(() => validateAlertsConfig({ sinks: [sameUrl, { ...sameUrl, format: 'slack' }] })).toThrow('two sinks have the same URL: give each an id');
  expect(validateAlertsConfig({ sinks: [{ ...sameUrl, id: 'a' }, { ...sameUrl, id: 'b' }] }).sinks).toHaveLength(2);
});

test('alertmanager sinks: url or urls, an id from a hash of the URLs, and both names of the webhook body format', () => {
  const c = validateAlertsConfig({
    sinks: [
      { type: 'alertmanager', url: 'http://am:9093', generatorUrl: 'https://grafana.example/d/x?var-rule={{rule.id}}', resendIntervalMs: 30000, maxFiring: 100 },
      { type: 'alertmanager', id: 'ha', urls: ['http://am1:9093', 'http://am2:9093'], basicAuth: { username: 'tw', password: { env: 'AM_PASS' } } },
      { type: 'alertmanager', id: 'tok', url: 'https://am.example/alertmanager/', bearerToken: { file: '/run/am-token' }, minSeverity: 'high' },
      { type: 'webhook', id: 'old-name', url: 'http://bridge/', format: 'alertmanager' },
      { type: 'webhook', id: 'new-name', url: 'http://bridge/', format: 'alertmanager-webhook' },
    ],
  });
  expect(c.sinks.map((s) => s.id)).toEqual([expect.stringMatching(/^alertmanager-[0-9a-f]{12}$/), 'ha', 'tok', 'old-name', 'new-name']);
});

test('alertmanager sinks: every problem with its path', () => {
  let err: AlertsConfigError | undefined;
  try {
    validateAlertsConfig({
      sinks: [
        { type: 'alertmanager' },
        { type: 'alertmanager', id: 'both', url: 'http://a', urls: ['http://b'] },
        { type: 'alertmanager', urls: ['http://a', 'am:9093', 'http://a'], generatorUrl: 'grafana/{{bogus}}', resendIntervalMs: 0 },
        { type: 'alertmanager', url: 'http://a', basicAuth: { username: 'a:b', password: 'plain' }, bearerToken: { env: 'T' }, resolved: false, format: 'json' },
      ],
    });
  } catch (e) {
    err = e as AlertsConfigError;
  }
  expect(err?.problems).toEqual([
    'alerts.sinks[0]: needs url (one Alertmanager) or urls (each member of an HA cluster)',
    'alerts.sinks[1].urls: give url or urls, not both',
    'alerts.sinks[2].urls[1]: must be an http:// or https:// URL',
    'alerts.sinks[2].urls: a URL is listed twice',
    expect.stringContaining('alerts.sinks[2].generatorUrl: placeholder {{bogus}} starts with an unknown alert field'),
    'alerts.sinks[2].generatorUrl: must be an http:// or https:// URL',
    'alerts.sinks[2].resendIntervalMs: must be a positive integer',
    expect.stringContaining('alerts.sinks[3].format: unknown key'),
    'alerts.sinks[3].resolved: Alertmanager needs resolutions to end alerts: set send_resolved: false in its receivers instead',
    "alerts.sinks[3].basicAuth.username: a non-empty string without ':'",
    'alerts.sinks[3].basicAuth.password: must be { env: NAME } or { file: PATH }',
    'alerts.sinks[3]: basicAuth and bearerToken both set Authorization: give one',
  ]);
});
