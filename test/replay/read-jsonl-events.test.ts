import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLine, readJsonlEvents, type BadLine } from '../../src/replay/read-jsonl-events';
import { tcpEvent } from '../support/tcp-events';

describe('readJsonlEvents', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tcpwarden-jsonl-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const read = async (path: string, options: Parameters<typeof readJsonlEvents>[1] = {}) => {
    const batches: number[][] = [];
    for await (const b of readJsonlEvents(path, options)) batches.push(b.map((e) => e.lport));
    return batches;
  };

  it('reads events in batches, skipping blank lines and CRs', async () => {
    const path = file('ok.jsonl', Array.from({ length: 5 }, (_, i) => JSON.stringify(tcpEvent(0, { lport: i }))).join('\r\n\n') + '\n');
    expect(await read(path, { batchSize: 2 })).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('names the file for an unreadable path', async () => {
    await expect(readJsonlEvents('/nonexistent/x.jsonl').next()).rejects.toMatchObject({ code: 'REPLAY_UNREADABLE', exitCode: 2, message: '/nonexistent/x.jsonl: cannot read: ENOENT' });
  });

  it('stops at the first bad line by default, saying file:line and what is wrong', async () => {
    const path = file('bad.jsonl', `${JSON.stringify(tcpEvent(0))}\n${JSON.stringify(tcpEvent(1, { ts: 1e300 }))}\n`);
    await expect(read(path)).rejects.toMatchObject({ code: 'REPLAY_BAD_EVENT', exitCode: 2, message: expect.stringMatching(new RegExp(`^${path}:2: 'ts' must be epoch milliseconds`)) });
  });

  it('hands bad lines to onBadLine and goes on without them', async () => {
    const lines = [tcpEvent(0, { lport: 1 }), 'not json', tcpEvent(2, { lport: 70000 }), tcpEvent(3, { raddr: { x: 1 } as unknown as string }), tcpEvent(4, { lport: 5 })];
    const path = file('mixed.jsonl', lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    const bad: BadLine[] = [];
    expect(await read(path, { onBadLine: (b) => bad.push(b) })).toEqual([[1, 5]]);
    expect(bad.map((b) => b.where)).toEqual([`${path}:2`, `${path}:3`, `${path}:4`]);
    expect(bad[2].problem).toBe("'raddr' must be an IP address string, got an object");
  });

  it('refuses a line over the length limit without reading it whole, and reads on after it', async () => {
    const huge = JSON.stringify({ ...tcpEvent(0), blob: 'x'.repeat(300_000) });
    const path = file('long.jsonl', `${huge}\n${JSON.stringify(tcpEvent(1, { lport: 9 }))}\n${huge}`);
    const bad: BadLine[] = [];
    expect(await read(path, { maxLineBytes: 1024, onBadLine: (b) => bad.push(b) })).toEqual([[9]]);
    expect(bad).toEqual([
      { where: `${path}:1`, problem: `line is ${huge.length} bytes, over the 1024-byte limit for one event` },
      { where: `${path}:3`, problem: `line is ${huge.length} bytes, over the 1024-byte limit for one event` },
    ]);
  });

  it('keeps only the fields of the event contract', async () => {
    const path = file('extra.jsonl', JSON.stringify({ ...tcpEvent(0), note: 'x'.repeat(1000) }) + '\n');
    const events = [];
    for await (const b of readJsonlEvents(path)) events.push(...b);
    expect(events).toEqual([tcpEvent(0)]);
  });
});

describe('parseEventLine', () => {
  it.each([
    ['not json', /^f:3: not JSON \(.+\); expected one event object per line$/],
    ['[1]', /^f:3: expected an event object, got an array$/],
    ['{"ts":1}', /^f:3: 'kind' is missing$/],
    [JSON.stringify({ ...tcpEvent(0), ts: 'soon' }), /^f:3: 'ts' must be epoch milliseconds between .*, got "soon"$/],
  ])('rejects %s saying where and what', (line, message) => {
    expect(() => parseEventLine(line, 'f:3')).toThrow(message);
  });
});
