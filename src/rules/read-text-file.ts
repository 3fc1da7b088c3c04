import { readFile, stat } from 'node:fs/promises';
import { diagnostic, type Diagnostic } from './diagnostic';

/**
 * The largest rule or config file read. Checked with stat before reading: a 50 MB file took
 * 7 s and 1.8 GB to parse, and real rule files are a few KiB (the packaged ones are under 10).
 */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Byte order marks of the encodings a file saved "as Unicode" by some editors has (longest first). */
const BOMS: Array<{ bytes: number[]; name: string }> = [
  { bytes: [0xff, 0xfe, 0x00, 0x00], name: 'UTF-32' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], name: 'UTF-32' },
  { bytes: [0xff, 0xfe], name: 'UTF-16' },
  { bytes: [0xfe, 0xff], name: 'UTF-16' },
];

/**
 * Reads a rule or config file as UTF-8 text, or says why it cannot: unreadable or not a regular
 * file (`unreadable` words that, from the errno code or reason), larger than MAX_FILE_BYTES, UTF-16/32, or not UTF-8 at some byte (with that
 * byte's line and column). An invalid byte is refused rather than read as U+FFFD: a mangled
 * address or name in a rule would otherwise pass unnoticed.
 */
export async function readTextFile(
  file: string,
  unreadable: (errno: string) => Diagnostic,
  name = file,
): Promise<{ text: string } | { error: Diagnostic }> {
  const start = { file: name, line: 1, column: 1 };
  const cannot = (err: unknown) => ({ error: unreadable((err as NodeJS.ErrnoException).code ?? String(err)) });
  let bytes: Buffer;
  try {
    const info = await stat(file);
    // A FIFO would block the read forever and /dev/zero would never end: only regular files are read.
    if (!info.isFile()) return { error: unreadable('not a regular file') };
    if (info.size > MAX_FILE_BYTES) return { error: tooLarge(start, info.size) };
    bytes = await readFile(file);
  } catch (err) {
    return cannot(err);
  }
  // The file may have grown between stat and read.
  if (bytes.length > MAX_FILE_BYTES) return { error: tooLarge(start, bytes.length) };
  return decodeUtf8(bytes, name);
}

function tooLarge(at: Diagnostic['location'], size: number): Diagnostic {
  return diagnostic('file.too-large', at, `the file is ${size} bytes, more than the ${MAX_FILE_BYTES} (1 MiB) a rule or config file may have`, {
    accepted: 'a file of at most 1 MiB; split large rule sets into several files in a directory',
  });
}

/** UTF-8 bytes to text (a UTF-8 BOM is dropped), or a `file.encoding` diagnostic at the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array, file: string): { text: string } | { error: Diagnostic } {
  const bom = BOMS.find((b) => b.bytes.every((x, i) => bytes[i] === x));
  if (bom) {
    return { error: diagnostic('file.encoding', { file, line: 1, column: 1 }, `the file is ${bom.name}: save it as UTF-8`, { accepted: 'UTF-8 text' }) };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const offset = Math.max(firstInvalidUtf8(bytes), 0);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    // Columns count characters, as the YAML positions do; the bytes before the bad one are valid.
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
    const byte = bytes[offset] ?? 0;
    return {
      error: diagnostic('file.encoding', { file, line, column }, `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${offset} is not UTF-8: save the file as UTF-8`, {
        accepted: 'UTF-8 text',
      }),
    };
  }
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    // The second byte's range is narrower after E0 (overlong), ED (surrogates), F0 (overlong) and F4 (past U+10FFFF).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (i + 1 >= b.length || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k < len; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}
