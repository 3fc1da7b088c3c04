import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLine, readJsonlEvents } from '../../src/replay/read-jsonl-events';

describe('readJsonlEvents', () => {
  it('reads events in batches, skipping blank lines', async () => {
    const file = join(tmpdir(), `tcpwarden-jsonl-${process.pid}.jsonl`);
    writeFileSync(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ kind: 'destroy', ts: i })).join('\n\n') + '\n');
    const batches: number[][] = [];
    for await (const b of readJsonlEvents(file, 2)) batches.push(b.map((e) => e.ts));
    expect(batches).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('names the file for an unreadable path', async () => {
    await expect(readJsonlEvents('/nonexistent/x.jsonl').next()).rejects.toMatchObject({ code: 'REPLAY_UNREADABLE', exitCode: 2, message: '/nonexistent/x.jsonl: cannot read: ENOENT' });
  });
});

describe('parseEventLine', () => {
  it.each([
    ['not json', /^f:3: not JSON \(.+\); expected one event object per line$/],
    ['[1]', /^f:3: expected an event object, got \[1\]$/],
    ['{"ts":1}', /^f:3: 'kind' is undefined; expected one of synack_retransmit, .*syncookies_sent$/],
    ['{"kind":"destroy"}', /^f:3: 'ts' must be epoch milliseconds \(a number\), got undefined$/],
  ])('rejects %s saying where and what', (line, message) => {
    expect(() => parseEventLine(line, 'f:3')).toThrow(message);
  });
});
