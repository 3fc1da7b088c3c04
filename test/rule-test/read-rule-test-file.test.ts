import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '../../src/rule-test/generate-events';
import { readRuleTestFile } from '../../src/rule-test/read-rule-test-file';
import { runRuleTest } from '../../src/rule-test/run-rule-test';
import { compile, resetRule, T0 } from '../support/rules';

describe('rule test files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpwarden-rule-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('merges recorded JSONL events with generated ones and compares the alerts', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ kind: 'rst_sent', ts: T0 + 1000 + i, family: 4, laddr: '10.0.0.1', lport: 80, raddr: '192.0.2.1', rport: i, netns: 1, host: 'h' }));
    write('capture.jsonl', lines.join('\n') + '\n');
    const file = write(
      'r.test.yaml',
      'tests:\n  - name: recorded and generated\n    events: capture.jsonl\n    generate:\n      - { from: 20s, to: 21s, rate: 10, event: { kind: rst_sent, raddr: 192.0.2.2 } }\n    expect:\n      - { at: 2s, status: firing, group: { raddr: 192.0.2.1 }, aggregates: { count: 12 } }\n      - { at: 21s, status: resolved, group: { raddr: 192.0.2.1 } }\n      - { at: 21s, status: firing, group: { raddr: 192.0.2.2 } }\n      - { at: 40s, status: resolved }\n',
    );
    const [test] = await readRuleTestFile(file, ['resets']);
    expect(test).toMatchObject({ name: 'recorded and generated', line: 2, startMs: T0, rules: ['resets'] });
    const result = await runRuleTest(test, compile(resetRule()));
    expect(result.failures).toEqual([]);
  });

  it('refuses a test file that is not UTF-8 or is an alias bomb, at file:line:column', async () => {
    const latin1 = join(dir, 'latin1.test.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('tests:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await expect(readRuleTestFile(latin1, ['resets'])).rejects.toThrow(`${latin1}:2:14: byte 0xE9 at offset 20 is not UTF-8: save the file as UTF-8`);
    const bomb = write('bomb.test.yaml', ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(', ')}]`)].join('\n'));
    await expect(readRuleTestFile(bomb, ['resets'])).rejects.toThrow(`${bomb}:2:8: aliases (*name) expand to too much data`);
  });

  it('refuses a sequence that would generate more than a million events, before generating any', async () => {
    const file = write('flood.test.yaml', 'tests:\n  - name: a week of floods\n    generate:\n      - { to: 7d, rate: 100000, event: { kind: rst_sent } }\n    expect: []\n');
    await expect(readRuleTestFile(file, ['resets'])).rejects.toThrow(`${file}:4:9: the sequence generates 60480000000 events, more than 1000000; lower 'rate' or shorten from..to`);
  });

  it('fails a test whose alerts differ, saying how', async () => {
    const file = write('f.test.yaml', 'tests:\n  - name: wrong time\n    generate:\n      - { to: 5s, rate: 4, event: { kind: rst_sent } }\n    expect:\n      - { at: 20s, status: firing }\n');
    const [test] = await readRuleTestFile(file, ['resets']);
    const result = await runRuleTest(test, compile(resetRule()));
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['alert 1: at 3s, expected 20s (got firing resets at 3s {"raddr":"10.0.0.2"} {"count":12,"rate":1.2})', 'alert 2: unexpected resolved resets at 22s {"raddr":"10.0.0.2"} {"count":0,"rate":0}']);
  });

  it.each([
    ['tests: {}\n', ':1:1: a rule test file needs \'tests:\', a list of tests'],
    ['tests:\n  - name: x\n    expect: []\n    generate:\n      - { to: soon, rate: 1, event: {} }\n', ':5:15: "soon" is not a duration'],
    ['tests:\n  - name: x\n    expct: []\n', ":3:5: unknown key 'expct'; expected name, start, rules, generate, events, expect"],
    ['tests:\n  - name: x\n    expect:\n      - { status: fired }\n', ":4:19: 'status' is firing or resolved"],
  ])('rejects a bad test file at file:line:column', async (text, message) => {
    const file = write('bad.test.yaml', text);
    await expect(readRuleTestFile(file, [])).rejects.toMatchObject({ code: 'RULE_TEST_INVALID', message: expect.stringContaining(file + message) });
  });
});

test('generated events are evenly spaced and fill {i} placeholders, numbers as numbers', () => {
  const events = generateEvents({ fromMs: 1000, toMs: 2000, rate: 4, event: { kind: 'connect_refused', raddr: '192.0.2.{i%2}', lport: '{i*10+1}', rport: '{i/2}' } }, T0);
  expect(events.map((e) => [e.ts - T0, e.raddr, e.lport, e.rport])).toEqual([
    [1000, '192.0.2.0', 1, 0],
    [1250, '192.0.2.1', 11, 0],
    [1500, '192.0.2.0', 21, 1],
    [1750, '192.0.2.1', 31, 1],
  ]);
  expect(events[0]).toMatchObject({ family: 4, laddr: '10.0.0.1', netns: 4026531840, host: 'test-host' });
});
