import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatConfigErrors } from '../../src/config/config-load-result';
import { loadConfigFile } from '../../src/config/load-config-file';
import { fileTempDir } from '../support/file-temp-dir';

const CONTEXT = { hostname: 'test-host', defaultRules: '/pkg/rules' };

function configFile(text: string): { dir: string; file: string } {
  const dir = fileTempDir('tcpwarden-config-');
  const file = join(dir, 'tcpwarden.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

test('an empty file is a valid config with every default, durations in milliseconds', async () => {
  const { file } = configFile('# nothing set\n');
  const result = await loadConfigFile(file, CONTEXT);
  expect(result).toEqual({
    ok: true,
    errors: [],
    config: {
      file,
      rules: ['/pkg/rules'],
      role: 'all',
      host: 'test-host',
      collector: { ringBytes: 8388608, probe: false, netns: 0, snmpIntervalMs: 1000, aggregate: 'auto', aggregateAbove: 20000 },
      queue: { batchSize: 1000, lingerMs: 50, capacity: 100000, partitions: 1, failoverMs: 10000 },
      engine: { maxKeysPerRule: 10000, distinctExactLimit: 256, latenessMs: 250, tickMs: 250 },
      alerts: { sinks: [{ type: 'stdout', id: 'stdout' }] },
      loss: { threshold: 1, windowMs: 10000, cooldownMs: 60000 },
      logging: { level: 'info', format: 'auto' },
    },
  });
});

test('given values win over defaults; relative rule paths start at the config file, absolute ones stay', async () => {
  const { dir, file } = configFile(
    [
      'rules: [rules.d, ./more/x.yaml, /etc]',
      'role: engine',
      'host: web-1',
      'redis: { url: "rediss://redis.internal:6380/0", password: { env: TCPWARDEN_REDIS_PASSWORD } }',
      'collector: { snmpInterval: 0s, probe: true, aggregate: on }',
      'queue: { linger: 1m30s, partitions: 4, failover: 3s }',
      'engine: { tick: 500ms }',
      'alerts: { sinks: [{ type: webhook, url: "https://hooks.example/x", format: slack, secret: { file: /run/secrets/slack } }] }',
      'metrics: { address: 9464 }',
      'logging: { level: debug, format: json }',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'rules.d'));
  mkdirSync(join(dir, 'more'));
  writeFileSync(join(dir, 'more', 'x.yaml'), 'rules: []\n');
  const result = await loadConfigFile(file, CONTEXT);
  expect(formatConfigErrors(result)).toBe('');
  const c = result.config!;
  expect(c.rules).toEqual([join(dir, 'rules.d'), join(dir, 'more', 'x.yaml'), '/etc']);
  expect(c.role).toBe('engine');
  expect(c.host).toBe('web-1');
  // The secret stays a source: it is read where it is used, so a config object never holds one.
  expect(c.redis).toEqual({ url: 'rediss://redis.internal:6380/0', password: { env: 'TCPWARDEN_REDIS_PASSWORD' } });
  expect(c.collector).toEqual({ ringBytes: 8388608, probe: true, netns: 0, snmpIntervalMs: 0, aggregate: 'on', aggregateAbove: 20000 });
  expect(c.queue).toEqual({ batchSize: 1000, lingerMs: 90000, capacity: 100000, partitions: 4, failoverMs: 3000 });
  expect(c.engine.tickMs).toBe(500);
  expect(c.alerts.sinks).toEqual([expect.objectContaining({ type: 'webhook', format: 'slack', id: expect.stringMatching(/^webhook-/), secret: { file: '/run/secrets/slack' } })]);
  expect(c.metrics).toEqual({ address: '9464', host: '127.0.0.1', port: 9464 });
  expect(c.logging).toEqual({ level: 'debug', format: 'json' });
});

test('a missing file is one error at its first line, naming the file as given', async () => {
  const result = await loadConfigFile('/nonexistent/tcpwarden.yaml', CONTEXT);
  expect(result.ok).toBe(false);
  expect(formatConfigErrors(result)).toBe(
    '/nonexistent/tcpwarden.yaml:1:1: error config.unreadable: cannot read the config file: ENOENT (accepted: a readable YAML file; see examples/tcpwarden.yaml)',
  );
});

test('secrets never appear in errors, wherever they were put by mistake', async () => {
  const { file } = configFile(
    [
      'redis:',
      '  url: "redis://user:s3cr3t-url@localhost/0"',
      '  password: s3cr3t-inline',
      'alerts:',
      '  sinks:',
      '    - { type: webhook, url: "https://hooks.example/x", secret: s3cr3t-sink, headers: { Authorization: { value: s3cr3t-header } } }',
    ].join('\n'),
  );
  const result = await loadConfigFile(file, CONTEXT);
  expect(result.errors.map((e) => `${e.location.line}:${e.location.column} ${e.code}`)).toEqual([
    '2:8 config.redis-url',
    '3:13 schema.type',
    '6:64 config.alerts', // secret: the inline value
    '6:103 config.alerts', // headers.Authorization: neither env nor file
    '6:105 config.alerts', // headers.Authorization.value: unknown key
  ]);
  expect(formatConfigErrors(result)).not.toMatch(/s3cr3t/);
  expect(JSON.stringify(result)).not.toMatch(/s3cr3t/);
});
