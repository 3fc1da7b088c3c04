import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeadLetterEntry } from '../../../src/alerts/dead-letter/dead-letter-entry';
import { CLAIMS_DIR, FileDeadLetterStore } from '../../../src/alerts/dead-letter/file-dead-letter-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcpwarden-dl-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string): DeadLetterEntry => ({
  id,
  job: { sinkId: 's', alertId: id, dedupKey: 'k', ruleId: 'r', status: 'firing', body: '{}', contentType: 'application/json', queuedAt: 0 },
  attempts: 1,
  reason: 'http_400',
  status: 400,
  failedAt: 0,
});

test('an empty or missing list; adds in order; removals; the file is private', async () => {
  const store = new FileDeadLetterStore(join(dir, 'state'));
  expect(await store.list()).toEqual([]);
  for (const id of ['a', 'b', 'c']) await store.add(entry(id));
  await store.remove(['b']);
  expect((await new FileDeadLetterStore(join(dir, 'state')).list()).map((e) => e.id)).toEqual(['a', 'c']);
  expect(statSync(store.path).mode & 0o777).toBe(0o600);
});

test('two writers (two processes) never lose an append to the other one\'s rewrite', async () => {
  const daemon = new FileDeadLetterStore(dir);
  const cli = new FileDeadLetterStore(dir);
  for (let i = 0; i < 20; i++) await daemon.add(entry(`old-${i}`));
  await Promise.all([
    ...Array.from({ length: 40 }, (_, i) => daemon.add(entry(`new-${i}`))),
    ...Array.from({ length: 20 }, (_, i) => cli.remove([`old-${i}`])),
  ]);
  const ids = (await cli.list()).map((e) => e.id).sort();
  expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => `new-${i}`).sort());
});

describe('claims', () => {
  test('an entry is claimed once while its holder lives; remove() and release() end the claim', async () => {
    const store = new FileDeadLetterStore(dir);
    for (const id of ['a', 'b', 'c']) await store.add(entry(id));
    expect(await store.claim(['a', 'b', 'gone'])).toEqual(['a', 'b']);
    // Another store (another process would read the same files) finds them taken.
    const other = new FileDeadLetterStore(dir);
    expect(await other.claim(['a', 'b', 'c'])).toEqual(['c']);
    await store.remove(['a']);
    await store.release(['b']);
    expect(await other.claim(['a', 'b'])).toEqual(['b']);
  });

  test("a claim whose process is gone is taken over; an id cannot name a path outside the claims dir", async () => {
    const store = new FileDeadLetterStore(dir);
    await store.add(entry('../../x'));
    await store.add(entry('e'));
    mkdirSync(join(dir, CLAIMS_DIR));
    // pid 2^22 + 1 is above Linux's pid_max: no process has it.
    writeFileSync(join(dir, CLAIMS_DIR, 'e'), String(4194305));
    expect(await store.claim(['e', '../../x'])).toEqual(['e', '../../x']);
    expect(readdirSync(join(dir, CLAIMS_DIR)).sort()).toEqual(['%2E%2E%2F%2E%2E%2Fx', 'e']);
  });
});
