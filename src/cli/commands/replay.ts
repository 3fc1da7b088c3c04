import { join } from 'node:path';
import { DEFAULT_STATE_DIR, createAlertDelivery } from '../../alerts/create-alert-delivery';
import { DEAD_LETTER_FILE } from '../../alerts/dead-letter/file-dead-letter-store';
import { webhookSinksFromUrls } from '../../alerts/webhook-sinks-from-urls';
import { STOP_DEADLINE_MS } from '../../detector/detector';
import { Engine } from '../../engine/engine';
import { UserError } from '../../errors/user-error';
import type { TcpEvent } from '../../interfaces/tcp-event';
import { Deadline } from '../../lifecycle/deadline';
import { createLogger } from '../../logging/create-logger';
import { formatLoadResult } from '../../rules/load-result';
import { loadRules } from '../../rules/loader';
import { JSONL_LINE_MAX } from '../../replay/jsonl-lines';
import { readJsonlEvents, type BadLine } from '../../replay/read-jsonl-events';
import { replayEvents } from '../../replay/replay-events';
import type { Command } from '../command';
import { stopSignal } from '../stop-signal';

const USAGE = `usage: tcpwarden replay FILE.jsonl --rules PATH [--rules PATH...] [--json] [--webhook URL...] [--state-dir DIR]
                        [--on-bad-event skip|stop]

  Runs recorded events (one JSON event per line) through the rules as fast as they can be read,
  on the events' own time, and prints the alerts: one line each, or the alert objects as JSON
  lines with --json. With --webhook the alerts are also POSTed there, as 'tcpwarden run' would
  (signed with TCPWARDEN_WEBHOOK_SECRET when set; undeliverable ones go to the dead-letter list in
  --state-dir). For backtesting and tuning rules.

  Each line is checked against the event contract (docs/events.md): fields outside it are
  dropped, and a line that is not a valid event (bad JSON, a missing or out-of-range field, over
  ${JSONL_LINE_MAX / 1024} KiB) is a bad line. --on-bad-event skip (the default) leaves bad lines out and goes on,
  as Zeek and Falco do with input they cannot parse, and prints their count and the first five
  (file:line: what is wrong) to stderr; stop ends the replay at the first one, naming it.

  SIGINT/SIGTERM stop reading; deliveries still being retried get up to 10 s, then go to the
  dead-letter list ('tcpwarden alerts retry' sends them later).
  Exit 0, 1 when stopped by a signal, or 2 on invalid rules, a bad line with 'stop', or bad usage.`;

/** Bad lines quoted in full; the rest are only counted. */
const BAD_LINES_SHOWN = 5;

type OnBadEvent = 'skip' | 'stop';

/** Stops yielding once `stopped()` is true: a signal ends the read at the next batch. */
async function* until<T>(batches: AsyncIterable<T>, stopped: () => boolean): AsyncGenerator<T> {
  for await (const b of batches) {
    if (stopped()) return;
    yield b;
  }
}

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
    let onBadEvent: OnBadEvent = 'skip';
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--rules') {
        const p = argv[++i];
        if (!p) throw new UserError('CLI_USAGE', `--rules needs a path (see 'tcpwarden replay --help')`, 2);
        rulePaths.push(p);
      } else if (a === '--webhook' || a === '--state-dir' || a === '--on-bad-event') {
        const v = argv[++i];
        if (!v) throw new UserError('CLI_USAGE', `${a} needs a value (see 'tcpwarden replay --help')`, 2);
        if (a === '--webhook') webhooks.push(v);
        else if (a === '--state-dir') stateDir = v;
        else if (v === 'skip' || v === 'stop') onBadEvent = v;
        else throw new UserError('CLI_USAGE', `--on-bad-event is 'skip' or 'stop', not '${v}'`, 2);
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
    let shutdownDeadLetters = 0;
    // The same sinks as 'tcpwarden run': the terminal, and the webhooks if any.
    const delivery = createAlertDelivery(
      { sinks: [{ type: 'stdout', id: 'stdout', json }, ...webhookSinksFromUrls(webhooks)], delivery: stateDir ? { stateDir } : {} },
      {
        logger: createLogger({ level: 'warn' }),
        observer: {
          deadLettered: (_job, reason) => {
            if (reason === 'shutdown') shutdownDeadLetters++;
          },
        },
      },
    );
    // The first few bad lines, and how many there were (a file of garbage must not fill memory).
    const bad: BadLine[] = [];
    let badCount = 0;
    const onBadLine = (line: BadLine): void => {
      if (++badCount <= BAD_LINES_SHOWN) bad.push(line);
      if (onBadEvent === 'stop') throw new UserError('REPLAY_BAD_EVENT', `${line.where}: ${line.problem} (stopped at the first bad line: --on-bad-event stop)`, 2);
    };
    let count = 0;
    let signal: string | undefined;
    let stopDeadline: Deadline | undefined;
    const finished = new AbortController();
    const stop = stopSignal(undefined, finished.signal);
    void stop.then((s) => (signal = s));
    const events = until<TcpEvent[]>(readJsonlEvents(files[0], { onBadLine }), () => signal !== undefined);
    try {
      const replayed = (async () => {
        await replayEvents(engine, events, async (alerts) => {
          for (const a of alerts) await delivery.dispatch(a);
          count += alerts.length;
        });
        await delivery.drained();
      })();
      // A signal lets the replay end (it stops reading), then gives deliveries in flight the deadline.
      await Promise.race([replayed, stop]);
      if (signal !== undefined) {
        stopDeadline = Deadline.after(STOP_DEADLINE_MS);
        await stopDeadline.settles(replayed);
      } else await replayed;
    } finally {
      finished.abort();
      // After a signal the close shares its deadline: what is still in flight then is cut short and dead-lettered.
      await delivery.close(stopDeadline);
      // With 'stop' the one bad line is the error itself.
      if (onBadEvent === 'skip' && badCount > 0) process.stderr.write(badLinesReport(bad, badCount));
    }
    if (signal !== undefined) {
      const where = join(stateDir ?? DEFAULT_STATE_DIR, DEAD_LETTER_FILE);
      const pending = `${shutdownDeadLetters} alert deliver${shutdownDeadLetters === 1 ? 'y' : 'ies'} still pending after ${STOP_DEADLINE_MS / 1000} s dead-lettered to ${where} (send with 'tcpwarden alerts retry')`;
      process.stderr.write(`${signal}: replay stopped${webhooks.length > 0 ? `; ${pending}` : ''}\n`);
      return 1;
    }
    if (!json) {
      const lost = engine.stats().reduce((n, s) => n + s.evictedEvents + s.lateEvents, 0);
      process.stderr.write(`${count} alerts${lost > 0 ? `; ${lost} events not counted (late or evicted, see --json loss)` : ''}\n`);
    }
    return 0;
  },
};

/** The count of bad lines and the first few, one per line. */
function badLinesReport(shown: BadLine[], count: number): string {
  const more = count > shown.length ? `  ... and ${count - shown.length} more\n` : '';
  return `${count} bad line${count === 1 ? '' : 's'} skipped (not events):\n${shown.map((b) => `  ${b.where}: ${b.problem}\n`).join('')}${more}`;
}
