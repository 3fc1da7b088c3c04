import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_STATE_DIR, deadLetterStore } from '../../alerts/create-alert-delivery';
import type { DeadLetterEntry } from '../../alerts/dead-letter/dead-letter-entry';
import type { DeadLetterStore } from '../../alerts/dead-letter/dead-letter-store';
import { retryDeadLetters } from '../../alerts/retry-dead-letters';
import type { DeliveryConfig, ValidAlertsConfig } from '../../alerts/sink-config';
import { webhookSinksFromUrls } from '../../alerts/webhook-sinks-from-urls';
import { UserError } from '../../errors/user-error';
import type { Command } from '../command';
import { readConfig } from '../read-config';

const DEFAULT_RETRY_ATTEMPTS = 3;

const USAGE = `usage: tcpwarden alerts failed [--redis URL | --state-dir DIR] [--json]
       tcpwarden alerts retry  [--redis URL | --state-dir DIR] (--config FILE | --webhook URL...) [--id ID...] [--attempts N]

  failed   list the dead-letter list: deliveries refused (4xx), out of attempts, or pending at shutdown
  retry    re-send them (all, or the --id ones) to the sinks of --config FILE (its alerts: section)
           or of --webhook URL (signed with $TCPWARDEN_WEBHOOK_SECRET when set); entries whose sink
           is not given stay in the list

  --redis URL      the dead-letter list in Redis (when tcpwarden run delivers through Redis)
  --state-dir DIR  the dead-letter file's directory (default $TCPWARDEN_STATE_DIR or ${DEFAULT_STATE_DIR})
  --json           one JSON entry per line
  --attempts N     attempts per entry before it goes back to the list (default ${DEFAULT_RETRY_ATTEMPTS})`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        redis: { type: 'string' },
        'state-dir': { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        webhook: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        attempts: { type: 'string' },
      },
    });
  } catch (err) {
    // Node's message goes on with advice about '--'; its first sentence says it all.
    throw new UserError('CLI_USAGE', `${(err as Error).message.split('. ')[0]}\n${USAGE}`, 2);
  }
}

/**
 * Runs `op` on the dead-letter list `where` points at (the state dir defaults to
 * $TCPWARDEN_STATE_DIR, else /var/lib/tcpwarden). An unreachable Redis is the user's to fix: one
 * line naming host and port (never the URL, which may hold a password), not a stack.
 */
async function withStore<T>(where: DeliveryConfig, op: (store: DeadLetterStore) => Promise<T>): Promise<T> {
  const delivery = where.redisUrl || where.stateDir ? where : { ...where, stateDir: process.env.TCPWARDEN_STATE_DIR ?? DEFAULT_STATE_DIR };
  const store = deadLetterStore(delivery, undefined, true);
  try {
    return await op(store);
  } catch (err) {
    if (err instanceof UserError || !delivery.redisUrl) throw err;
    throw new UserError('ALERTS_REDIS_UNAVAILABLE', `cannot use Redis at ${new URL(delivery.redisUrl).host}: ${(err as Error).message}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

function entryLine(e: DeadLetterEntry): string {
  const j = e.job;
  return `${new Date(e.failedAt).toISOString()} ${e.id} sink=${j.sinkId} alert=${j.alertId} rule=${j.ruleId} ${j.status} reason=${e.reason} attempts=${e.attempts}`;
}

/** `tcpwarden alerts failed|retry`: the dead-letter list of webhook deliveries. */
export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'show or re-send webhook deliveries that failed (dead-letter list)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const [sub, ...extra] = positionals;
    if ((sub !== 'failed' && sub !== 'retry') || extra.length > 0) throw new UserError('CLI_USAGE', `expected 'failed' or 'retry'\n${USAGE}`, 2);
    const given: DeliveryConfig = {
      ...(values.redis ? { redisUrl: values.redis } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    };

    if (sub === 'failed') {
      const entries = await withStore(given, (store) => store.list());
      for (const e of entries) process.stdout.write((values.json ? JSON.stringify(e) : entryLine(e)) + '\n');
      if (!values.json) process.stderr.write(`${entries.length} failed deliver${entries.length === 1 ? 'y' : 'ies'}\n`);
      return 0;
    }

    if (!values.config && !values.webhook) throw new UserError('CLI_USAGE', `retry needs the sinks: --config FILE or --webhook URL\n${USAGE}`, 2);
    const maxAttempts = Number(values.attempts ?? DEFAULT_RETRY_ATTEMPTS);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new UserError('CLI_USAGE', `--attempts '${values.attempts}' is not a positive whole number`, 2);
    const fromFile = values.config ? (await readConfig(values.config)).alerts : undefined;
    const config: ValidAlertsConfig = {
      sinks: [...(fromFile?.sinks ?? []), ...webhookSinksFromUrls(values.webhook ?? [])],
      // The command line may say where the list is; the config file keeps its backoff settings.
      delivery: { ...fromFile?.delivery, ...given },
    };
    const logger = pino({ name: 'tcpwarden-alerts' }, pino.destination(2));
    const report = await withStore(config.delivery ?? {}, (store) => retryDeadLetters({ config, store, logger, ids: values.id, maxAttempts }));
    for (const e of report.delivered) process.stdout.write(`delivered ${entryLine(e)}\n`);
    for (const e of report.failed) process.stdout.write(`failed again ${entryLine(e)}\n`);
    for (const e of report.skipped) process.stdout.write(`skipped (sink not given) ${entryLine(e)}\n`);
    for (const e of report.busy) process.stdout.write(`busy (another alerts retry is sending it) ${entryLine(e)}\n`);
    const busy = report.busy.length > 0 ? `, ${report.busy.length} left to another alerts retry running now` : '';
    process.stderr.write(`${report.delivered.length} delivered, ${report.failed.length} failed again, ${report.skipped.length} skipped${busy}\n`);
    return report.failed.length + report.skipped.length === 0 ? 0 : 1;
  },
};
