import { Engine } from '../../engine/engine';
import { UserError } from '../../errors/user-error';
import { createAlertDelivery } from '../../alerts/create-alert-delivery';
import { webhookSinksFromUrls } from '../../alerts/webhook-sinks-from-urls';
import { createLogger } from '../../logging/create-logger';
import { formatLoadResult } from '../../rules/load-result';
import { loadRules } from '../../rules/loader';
import { readJsonlEvents } from '../../replay/read-jsonl-events';
import { replayEvents } from '../../replay/replay-events';
import type { Command } from '../command';

const USAGE = `usage: tcpwarden replay FILE.jsonl --rules PATH [--rules PATH...] [--json] [--webhook URL...] [--state-dir DIR]

  Runs recorded events (one JSON event per line) through the rules as fast as they can be read,
  on the events' own time, and prints the alerts: one line each, or the alert objects as JSON
  lines with --json. With --webhook the alerts are also POSTed there, as 'tcpwarden run' would
  (signed with TCPWARDEN_WEBHOOK_SECRET when set; undeliverable ones go to the dead-letter list in
  --state-dir). For backtesting and tuning rules. Exit 0, or 2 on invalid rules or input.`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run recorded events through the rules and print the alerts',
  usage: USAGE,
  async run(argv) {
    const rulePaths: string[] = [];
    const files: string[] = [];
    const webhooks: string[] = [];
    let stateDir: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--rules') {
        const p = argv[++i];
        if (!p) throw new UserError('CLI_USAGE', `--rules needs a path (see 'tcpwarden replay --help')`, 2);
        rulePaths.push(p);
      } else if (a === '--webhook' || a === '--state-dir') {
        const v = argv[++i];
        if (!v) throw new UserError('CLI_USAGE', `${a} needs a value (see 'tcpwarden replay --help')`, 2);
        if (a === '--webhook') webhooks.push(v);
        else stateDir = v;
      } else if (a === '--json') json = true;
      else if (a.startsWith('-')) throw new UserError('CLI_USAGE', `unknown option '${a}' (see 'tcpwarden replay --help')`, 2);
      else files.push(a);
    }
    if (files.length !== 1 || rulePaths.length === 0) throw new UserError('CLI_USAGE', `name one events file and at least one --rules path (see 'tcpwarden replay --help')`, 2);
    const load = await loadRules(rulePaths);
    if (!load.ok) {
      process.stderr.write(formatLoadResult(load) + '\n');
      return 2;
    }
    const engine = new Engine(load.rules);
    // The same sinks as 'tcpwarden run': the terminal, and the webhooks if any.
    const delivery = createAlertDelivery(
      { sinks: [{ type: 'stdout', id: 'stdout', json }, ...webhookSinksFromUrls(webhooks)], delivery: stateDir ? { stateDir } : {} },
      { logger: createLogger({ level: 'warn' }) },
    );
    let count = 0;
    try {
      await replayEvents(engine, readJsonlEvents(files[0]), async (alerts) => {
        for (const a of alerts) await delivery.dispatch(a);
        count += alerts.length;
      });
      await delivery.drained();
    } finally {
      await delivery.close();
    }
    if (!json) {
      const lost = engine.stats().reduce((n, s) => n + s.evictedEvents + s.lateEvents, 0);
      process.stderr.write(`${count} alerts${lost > 0 ? `; ${lost} events not counted (late or evicted, see --json loss)` : ''}\n`);
    }
    return 0;
  },
};
