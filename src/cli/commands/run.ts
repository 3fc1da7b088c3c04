import { parseArgs } from 'node:util';
import { createDetector } from '../../detector/create-detector';
import { STOP_DEADLINE_MS } from '../../detector/detector';
import type { DetectorRole } from '../../detector/detector-options';
import { UserError } from '../../errors/user-error';
import { createLogger, parseLogLevel } from '../../logging/create-logger';
import type { Command } from '../command';
import { readConfig } from '../read-config';
import { runOptions } from '../run-options';
import { stopSignal } from '../stop-signal';

const ROLES: DetectorRole[] = ['all', 'collector', 'engine'];

const USAGE = `usage: tcpwarden run [options]

Runs the detector: kernel TCP events -> queue -> rules -> alerts. With no options (as root) it
runs the default rules on the in-memory queue and prints alerts to the terminal.

  --config FILE       a YAML config covering everything below and more (docs/configuration.md);
                      the flags override its keys, --webhook adds to its sinks
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

Signals: SIGINT/SIGTERM stop gracefully (detach, flush, deliver in-flight alerts) within 10 s,
whatever Redis or the webhook receivers do: what is not done by then is counted and named in
the last log line (docs/operations.md); a second SIGINT/SIGTERM exits at once (exit 1).
SIGHUP reloads the rules (with --config: the file's rules and sinks).`;

/**
 * The last resort past the stop's deadline: every step of the stop honours the deadline, so this
 * only fires if one does not (a bug), or if something keeps the process up after the stop.
 */
const HARD_STOP_AFTER_MS = STOP_DEADLINE_MS + 3000;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        rules: { type: 'string', multiple: true },
        webhook: { type: 'string', multiple: true },
        redis: { type: 'string' },
        role: { type: 'string' },
        metrics: { type: 'string' },
        json: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        'log-level': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UserError('CLI_USAGE', `${(err as Error).message}\n${USAGE}`, 2);
  }
}

async function run(argv: string[]): Promise<number> {
  const values = parse(argv);
  if (values.role !== undefined && !ROLES.includes(values.role as DetectorRole)) {
    throw new UserError('CLI_USAGE', `--role '${values.role}' is not one of ${ROLES.join(', ')}`, 2);
  }
  const config = values.config ? await readConfig(values.config) : undefined;
  const flags = {
    rules: values.rules,
    webhooks: values.webhook ?? [],
    redis: values.redis,
    role: values.role as DetectorRole | undefined,
    metrics: values.metrics,
    json: values.json ?? false,
    stateDir: values['state-dir'],
    logLevel: values['log-level'] === undefined ? undefined : parseLogLevel(values['log-level']),
  };
  const { logLevel, logFormat, ...options } = runOptions(config, flags);
  const logger = createLogger({ level: logLevel, format: logFormat });
  const detector = createDetector({ ...options, alerts: options.role === 'collector' ? undefined : options.alerts, logger });
  detector.on('error', (err) => logger.error({ err: err.message }, 'detector error'));

  // SIGHUP: the rules again; with --config, the file again too — its rule paths and sinks apply
  // at once, other changed sections are named as needing a restart.
  let applied = options;
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading');
    void (async () => {
      if (!values.config) return void (await detector.reload());
      const next = runOptions(await readConfig(values.config), flags);
      await detector.reload(next.rules);
      const { rules: _r, alerts, logLevel: _l, logFormat: _f, ...rest } = next;
      const { rules: _r0, alerts: alertsBefore, ...restBefore } = applied;
      if (options.role !== 'collector' && JSON.stringify(alerts) !== JSON.stringify(alertsBefore)) await detector.replaceSinks(alerts!);
      const needRestart = Object.keys(rest).filter((k) => JSON.stringify(rest[k as keyof typeof rest]) !== JSON.stringify(restBefore[k as keyof typeof restBefore]));
      if (needRestart.length > 0) logger.warn({ changed: needRestart }, 'config changes that need a restart to apply');
      applied = { ...next };
    })().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'reload rejected: the running rules and sinks stay in force'));
  });
  const stop = stopSignal(undefined, undefined, (signal) => {
    logger.warn({ signal, step: detector.stopStep }, 'second stop signal: exiting now, without finishing the stop');
    process.exit(1);
  });
  const started = detector.start();
  // A signal may come while the detector is still starting (attaching, reaching Redis): the stop interrupts the start.
  const signal = (await Promise.race([started.then(() => undefined), stop])) ?? (await stop);
  logger.info({ signal }, 'stopping');
  setTimeout(() => {
    // What still holds the process (timers, sockets) says which part did not let go.
    logger.error({ step: detector.stopStep, deadlineMs: STOP_DEADLINE_MS, holding: process.getActiveResourcesInfo() }, 'the stop overran its deadline: exiting with work left');
    process.exit(1);
  }, HARD_STOP_AFTER_MS).unref();
  await detector.stop(STOP_DEADLINE_MS);
  // A start the stop interrupted rejects: the stop's doing, not a failure.
  await started.catch(() => undefined);
  return 0;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the detector: kernel events -> rules -> alerts',
  usage: USAGE,
  run,
};
