import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UserError } from '../errors/user-error';
import { EVENT_KINDS, type TcpEvent } from '../interfaces/tcp-event';

/**
 * Reads recorded events, one JSON object per line, in batches. A line that is not an event
 * stops the read with a UserError naming file:line and what the line lacks.
 */
export async function* readJsonlEvents(file: string, batchSize = 4096): AsyncGenerator<TcpEvent[]> {
  const stream = createReadStream(file, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new UserError('REPLAY_UNREADABLE', `${file}: cannot read: ${err.code ?? err.message}`, 2)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let batch: TcpEvent[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    batch.push(parseEventLine(line, `${file}:${lineNo}`));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** One JSONL line as an event; `where` (file:line) prefixes any complaint. */
export function parseEventLine(line: string, where: string): TcpEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new UserError('replay.bad-line', `${where}: not JSON (${(err as Error).message}); expected one event object per line`, 2);
  }
  const e = value as Partial<TcpEvent> | null;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new UserError('replay.bad-line', `${where}: expected an event object, got ${JSON.stringify(value)}`, 2);
  if (typeof e.kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(e.kind)) {
    throw new UserError('replay.bad-line', `${where}: 'kind' is ${JSON.stringify(e.kind)}; expected one of ${EVENT_KINDS.join(', ')}`, 2);
  }
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) throw new UserError('replay.bad-line', `${where}: 'ts' must be epoch milliseconds (a number), got ${JSON.stringify(e.ts)}`, 2);
  return e as TcpEvent;
}
