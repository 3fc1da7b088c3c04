import { createReadStream } from 'node:fs';
import { UserError } from '../errors/user-error';
import { toTcpEvent } from '../events/check-event';
import type { TcpEvent } from '../interfaces/tcp-event';
import { JSONL_LINE_MAX, jsonlLines } from './jsonl-lines';

/** A line of a recorded file that is not an event: where (`file:line`) and what is wrong. */
export interface BadLine {
  where: string;
  problem: string;
}

export interface ReadJsonlOptions {
  batchSize?: number;
  /** Longest line in bytes (default JSONL_LINE_MAX). */
  maxLineBytes?: number;
  /**
   * Told of each line that is not an event, which is then left out; throwing from here stops the
   * read with that error. Default: throw a UserError naming file:line and what is wrong.
   */
  onBadLine?: (bad: BadLine) => void;
}

const stopAtBadLine = (bad: BadLine): void => {
  throw new UserError('REPLAY_BAD_EVENT', `${bad.where}: ${bad.problem}`, 2);
};

/**
 * Reads recorded events, one JSON object per line, in batches. Each line goes through the one
 * event check (src/events/check-event.ts): only the TcpEvent fields are kept, and a line that is
 * not an event goes to `onBadLine`.
 */
export async function* readJsonlEvents(file: string, options: ReadJsonlOptions = {}): AsyncGenerator<TcpEvent[]> {
  const { batchSize = 4096, maxLineBytes = JSONL_LINE_MAX, onBadLine = stopAtBadLine } = options;
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new UserError('REPLAY_UNREADABLE', `${file}: cannot read: ${err.code ?? err.message}`, 2)));
  });
  let batch: TcpEvent[] = [];
  try {
    for await (const line of jsonlLines(stream, maxLineBytes)) {
      const where = `${file}:${line.lineNo}`;
      if (line.text === undefined) {
        onBadLine({ where, problem: `line is ${line.tooLong} bytes, over the ${maxLineBytes}-byte limit for one event` });
        continue;
      }
      if (line.text.trim() === '') continue;
      const parsed = eventOfLine(line.text);
      if (parsed.problem !== undefined) onBadLine({ where, problem: parsed.problem });
      else {
        batch.push(parsed.event);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
  } finally {
    stream.destroy();
  }
  if (batch.length > 0) yield batch;
}

/** One JSONL line as an event, or what is wrong with it. */
export function eventOfLine(line: string): ReturnType<typeof toTcpEvent> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { problem: `not JSON (${(err as Error).message}); expected one event object per line` };
  }
  return toTcpEvent(value);
}

/** One JSONL line as an event; throws a UserError prefixed with `where` (file:line) when it is not one. */
export function parseEventLine(line: string, where: string): TcpEvent {
  const parsed = eventOfLine(line);
  if (parsed.problem !== undefined) throw new UserError('REPLAY_BAD_EVENT', `${where}: ${parsed.problem}`, 2);
  return parsed.event;
}
