import type { Readable } from 'node:stream';

/** Longest line a JSONL event file may have, in bytes; a valid event is well under 1 KiB. */
export const JSONL_LINE_MAX = 64 * 1024;

export type JsonlLine = { lineNo: number; text: string; tooLong?: undefined } | { lineNo: number; text?: undefined; tooLong: number };

/**
 * The lines of a stream, numbered from 1, without ever holding more than `maxBytes` of one line:
 * a longer line (a 100 MB line in a recorded file) is skipped to its end and reported with its
 * length as `tooLong`, instead of being read whole into memory as readline would. CRLF endings
 * lose their CR.
 */
export async function* jsonlLines(stream: Readable, maxBytes = JSONL_LINE_MAX): AsyncGenerator<JsonlLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let length = 0;
  let lineNo = 0;
  const end = (): JsonlLine => {
    lineNo++;
    const line: JsonlLine = length > maxBytes ? { lineNo, tooLong: length } : { lineNo, text: Buffer.concat(parts, held).toString('utf8').replace(/\r$/, '') };
    parts = [];
    held = 0;
    length = 0;
    return line;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const piece = chunk.subarray(from, nl === -1 ? chunk.length : nl);
      length += piece.length;
      // Past the cap the line is only measured; what was held of it is let go.
      if (length <= maxBytes + 1) {
        parts.push(piece);
        held += piece.length;
      } else if (held > 0) {
        parts = [];
        held = 0;
      }
      if (nl === -1) break;
      yield end();
      from = nl + 1;
    }
  }
  if (length > 0) yield end();
}
