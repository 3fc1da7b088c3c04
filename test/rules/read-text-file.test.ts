import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnostic } from '../../src/rules/diagnostic';
import { decodeUtf8, MAX_FILE_BYTES, readTextFile } from '../../src/rules/read-text-file';

const unreadable = (errno: string) => diagnostic('file.unreadable', { file: 'x', line: 1, column: 1 }, `cannot read: ${errno}`);

describe('readTextFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpwarden-read-text-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a UTF-8 file, dropping a UTF-8 byte order mark', async () => {
    const file = join(dir, 'r.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('summary: café\n')]));
    expect(await readTextFile(file, unreadable)).toEqual({ text: 'summary: café\n' });
  });

  it('refuses a file over 1 MiB from its size, before reading it (a sparse 50 MB file here)', async () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, '');
    truncateSync(file, 50 * 1024 * 1024);
    const result = await readTextFile(file, unreadable, 'big.yaml');
    expect(result).toEqual({
      error: expect.objectContaining({ code: 'file.too-large', location: { file: 'big.yaml', line: 1, column: 1 }, message: `the file is 52428800 bytes, more than the ${MAX_FILE_BYTES} (1 MiB) a rule or config file may have` }),
    });
  });

  it('accepts a file of exactly 1 MiB', async () => {
    const file = join(dir, 'edge.yaml');
    writeFileSync(file, '#'.repeat(MAX_FILE_BYTES));
    expect('text' in (await readTextFile(file, unreadable))).toBe(true);
  });

  it('refuses what is not a regular file (a FIFO would block the read forever, /dev/zero never end)', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await readTextFile(fifo, unreadable)).toEqual({ error: expect.objectContaining({ code: 'file.unreadable', message: 'cannot read: not a regular file' }) });
    expect(await readTextFile('/dev/zero', unreadable)).toEqual({ error: expect.objectContaining({ message: 'cannot read: not a regular file' }) });
  });

  it("words an unreadable file with the caller's diagnostic", async () => {
    expect(await readTextFile(join(dir, 'missing.yaml'), unreadable)).toEqual({ error: expect.objectContaining({ code: 'file.unreadable', message: 'cannot read: ENOENT' }) });
  });
});

describe('decodeUtf8', () => {
  it('refuses a byte that is not UTF-8 rather than reading it as U+FFFD, naming its line, column and offset', () => {
    const bytes = Buffer.concat([Buffer.from('rules:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(decodeUtf8(bytes, 'latin1.yaml')).toEqual({
      error: expect.objectContaining({ code: 'file.encoding', location: { file: 'latin1.yaml', line: 2, column: 14 }, message: 'byte 0xE9 at offset 20 is not UTF-8: save the file as UTF-8' }),
    });
  });

  it('counts columns in characters after valid multi-byte ones, and finds truncated, overlong and surrogate sequences', () => {
    const at = (bytes: number[]) => {
      const r = decodeUtf8(Buffer.from(bytes), 'f');
      return 'error' in r ? [r.error.location.line, r.error.location.column, r.error.message.split(' ')[1]] : 'ok';
    };
    expect(at([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x41, 0xff])).toEqual([1, 4, '0xFF']); // é € A, then 0xFF
    expect(at([0x41, 0xe2, 0x82])).toEqual([1, 2, '0xE2']); // cut short at the end
    expect(at([0xc0, 0xaf])).toEqual([1, 1, '0xC0']); // overlong '/'
    expect(at([0xed, 0xa0, 0x80])).toEqual([1, 1, '0xED']); // a UTF-16 surrogate
    expect(at([0xf4, 0x90, 0x80, 0x80])).toEqual([1, 1, '0xF4']); // past U+10FFFF
    expect(at([0xf0, 0x9f, 0x98, 0x80])).toBe('ok');
  });

  it('says a UTF-16 or UTF-32 file is one, without echoing its text', () => {
    const text = 'rules: ' + 'x'.repeat(10_000);
    for (const [bytes, name] of [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UTF-16'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), 'UTF-16'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x72, 0, 0, 0]), 'UTF-32'],
    ] as const) {
      expect(decodeUtf8(bytes, 'u.yaml')).toEqual({
        error: expect.objectContaining({ code: 'file.encoding', location: { file: 'u.yaml', line: 1, column: 1 }, message: `the file is ${name}: save it as UTF-8` }),
      });
    }
  });
});
