import { parseArgs } from 'node:util';
import type { ValidAlertsConfig } from '../../alerts/sink-config';
import { webhookSinksFromUrls } from '../../alerts/webhook-sinks-from-urls';
import { createDetector } from '../../detector/create-detector';
import type { DetectorRole } from '../../detector/detector-options';
import { UserError } from '../../errors/user-error';
import { createLogger, parseLogLevel } from '../../logging/create-logger';
import type { Command } from '../command';
import { stopSignal } from '../stop-signal';

const ROLES: DetectorRole[] = ['all', 'collector', 'engine'];

const USAGE = `usage: tcpwarden run [options]

Runs the detector: kernel TCP events -> queue -> rules -> alerts. With no options (as root) it
runs the default rules on the in-memory queue and prints alerts to the terminal.

  --rules PATH        rule file or directory (repeatable; default: the shipped rules/)
  --webhook URL       also POST alerts to URL as generic JSON (repeatable), signed with the
                      secret in TCPWARDEN_WEBHOOK_SECRET when it is set
  --redis URL         carry events and deliveries through Redis (redis:// or rediss://)
  --role ROLE         all (default) | collector (kernel -> Redis, root) | engine (Redis -> alerts)
  --metrics ADDR      serve Prometheus /metrics, /healthz, /readyz on ADDR (HOST:PORT; host
                      defaults to 127.0.0.1)
  --json              alerts on stdout as JSON lines instead of one readable line each
  --state-dir DIR     where the dead-letter list lives without Redis (default /var/lib/tcpwarden)
  --log-level LEVEL   trace | debug | info (default) | warn | error | fatal | silent

Signals: SIGINT/SIGTERM stop gracefully (detach, flush, deliver in-flight alerts, up to 10 s);
SIGHUP reloads the rules.`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        rules: { type: 'string', multiple: true },
        webhook: { type: 'string', multiple: true },
        redis: { type: 'string' },
        role: { type: 'string', default: 'all' },
        metrics: { type: 'string' },
        json: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UserError('E_BAD_OPTION', `${(err as Error).message}\n${USAGE}`, 2);
  }
}

async function run(argv: string[]): Promise<number> {
  const values = parse(argv);
  const role = values.role as DetectorRole;
  if (!ROLES.includes(role)) throw new UserError('E_BAD_OPTION', `--role '${values.role}' is not one of ${ROLES.join(', ')}`, 2);
  const logger = createLogger({ level: parseLogLevel(values['log-level'] ?? 'info') });
  const alerts: ValidAlertsConfig = {
    sinks: [{ type: 'stdout', id: 'stdout', json: values.json ?? false }, ...webhookSinksFromUrls(values.webhook ?? [])],
    delivery: { redisUrl: values.redis, ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}) },
  };
  const detector = createDetector({
    rules: values.rules,
    role,
    redisUrl: values.redis,
    alerts: role === 'collector' ? undefined : alerts,
    metricsAddress: values.metrics,
    logger,
  });
  detector.on('error', (err) => logger.error({ err: err.message }, 'detector error'));

  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading rules');
    detector.reload().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'reload failed'));
  });
  const stop = stopSignal();
  await detector.start();
  logger.info({ signal: await stop }, 'stopping');
  await detector.stop();
  return 0;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the detector: kernel events -> rules -> alerts',
  usage: USAGE,
  run,
};
