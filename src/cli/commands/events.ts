import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { Collector } from '../../collector/collector';
import { UserError } from '../../errors/user-error';
import { EVENT_KINDS, type EventKind, type TcpEvent } from '../../interfaces/tcp-event';
import type { Command } from '../command';
import { stopSignal } from '../stop-signal';
import { eventHeader, formatEventLine } from '../format/event-line';

const USAGE = `usage: tcpwarden events [options]

Live view of normalized TCP events from the kernel (needs root). NETNS and CONTAINER name the
event's network namespace and its container, pod or service; CPU-PID and CPU-COMM are the task
that was on the CPU when the kernel traced the event (often softirq: not the port's owner).

  --json              one JSON object per line instead of columns
  --kind KIND         only these kinds (repeatable or comma-separated): ${EVENT_KINDS.join(', ')}
  --port PORT         only events whose local or remote port is PORT (repeatable)
  --record FILE       also write the events as JSON lines to FILE, for 'tcpwarden replay'
  --probe             also stream tcp:tcp_probe (one event per received segment: heavy)
  --netns INODE       only this network namespace (as 'ls -Li /proc/PID/ns/net' shows)
  --duration SECONDS  stop after this long (default: until Ctrl-C)`;

interface EventsOptions {
  json: boolean;
  kinds: Set<EventKind> | null;
  ports: Set<number> | null;
  record?: string;
  probe: boolean;
  netns?: number;
  durationMs?: number;
}

function positiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UserError('CLI_USAGE', `${flag} '${value}' is not a whole number from 0 to ${max}`, 2);
  return n;
}

function parse(argv: string[]): EventsOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean', default: false },
        kind: { type: 'string', multiple: true },
        port: { type: 'string', multiple: true },
        record: { type: 'string' },
        probe: { type: 'boolean', default: false },
        netns: { type: 'string' },
        duration: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UserError('CLI_USAGE', `${(err as Error).message}\n${USAGE}`, 2);
  }
  let kinds: Set<EventKind> | null = null;
  if (values.kind) {
    kinds = new Set();
    for (const k of values.kind.flatMap((v) => v.split(','))) {
      if (!(EVENT_KINDS as readonly string[]).includes(k)) {
        throw new UserError('CLI_USAGE', `--kind '${k}' is not an event kind; use one of ${EVENT_KINDS.join(', ')}`, 2);
      }
      kinds.add(k as EventKind);
    }
  }
  const ports = values.port ? new Set(values.port.map((p) => positiveInt('--port', p, 65535))) : null;
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0)) throw new UserError('CLI_USAGE', `--duration '${values.duration}' is not a positive number of seconds`, 2);
  return {
    json: values.json ?? false,
    kinds,
    ports,
    record: values.record,
    probe: values.probe ?? false,
    netns: values.netns === undefined ? undefined : positiveInt('--netns', values.netns, 0xffffffff),
    durationMs: duration === undefined ? undefined : duration * 1000,
  };
}

function openRecord(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: 'w' });
    out.once('open', () => resolve(out));
    out.once('error', (err) => reject(new UserError('CLI_RECORD_UNWRITABLE', `cannot write ${path}: ${err.message}`)));
  });
}

async function run(argv: string[]): Promise<number> {
  const opts = parse(argv);
  const collector = new Collector({ probe: opts.probe, netns: opts.netns });
  const record = opts.record ? await openRecord(opts.record) : null;
  const keep = (e: TcpEvent) =>
    (!opts.kinds || opts.kinds.has(e.kind)) && (!opts.ports || opts.ports.has(e.lport) || opts.ports.has(e.rport));

  collector.on('events', (batch) => {
    let text = '';
    let lines = '';
    for (const e of batch) {
      if (!keep(e)) continue;
      const json = JSON.stringify(e);
      if (record) lines += json + '\n';
      text += (opts.json ? json : formatEventLine(e)) + '\n';
    }
    if (lines) record!.write(lines);
    if (text) process.stdout.write(text);
  });

  const stopped = stopSignal(opts.durationMs);
  const started = collector.start();
  if (started.mountedTracefs) process.stderr.write(`tcpwarden events: tracefs was not mounted: mounted it at ${started.mountedTracefs}\n`);
  for (const tp of started.missing) process.stderr.write(`tcpwarden events: tracepoint ${tp} is not in this kernel; its events will be missing\n`);
  process.stderr.write(`tcpwarden events: watching ${started.attached.length} tracepoints (Ctrl-C to stop)\n`);
  if (!opts.json) process.stdout.write(eventHeader() + '\n');

  await stopped;
  const stats = await collector.stop();
  if (record) await new Promise<void>((resolve) => record.end(resolve));
  const aggregated = stats.aggregated > 0 ? `, ${stats.aggregated} more counted in in-kernel aggregates` : '';
  process.stderr.write(`tcpwarden events: ${stats.delivered} records delivered${aggregated}, ${stats.lost} lost\n`);
  if (stats.lost > 0) {
    process.stderr.write('tcpwarden events: the ring buffer overflowed: the output is slower than the kernel; use --json to a file, or filters\n');
  }
  return 0;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'live view of normalized TCP events from the kernel',
  usage: USAGE,
  run,
};
