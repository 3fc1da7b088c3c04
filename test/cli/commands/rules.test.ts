import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetRule } from '../../support/rules';
import { runCli } from '../../support/run-cli';

const RULES = join(__dirname, '../../../rules');
const BROKEN = join(__dirname, '../../rules/broken');

describe('tcpwarden rules validate', () => {
  it('exits 0 on the shipped rules', async () => {
    expect(await runCli(['rules', 'validate', RULES])).toEqual({ code: 0, stdout: 'ok: 10 rules in 4 files\n', stderr: '' });
  });

  it('exits 2 listing every error, one line each with file:line:column', async () => {
    const { code, stderr } = await runCli(['rules', 'validate', BROKEN]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines.pop()).toMatch(/^\d+ error\(s\) in \d+ files$/);
    expect(lines.length).toBeGreaterThanOrEqual(30);
    for (const line of lines) expect(line).toMatch(/^\S+\.yaml:\d+:\d+: error [a-z-]+\.[a-z-]+( \[[^\]]+\])?: .+/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('gives the same in JSON with --json', async () => {
    const { code, stdout } = await runCli(['rules', 'validate', '--json', join(BROKEN, 'bad-severity.yaml')]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, rules: [], errors: [{ code: 'schema.value', ruleId: 'broken', location: { line: 5, column: 15 } }] });
  });

  it('exits 2 on a YAML alias bomb with one diagnostic line and no stack trace', async () => {
    const { code, stdout, stderr } = await runCli(['rules', 'validate', join(BROKEN, 'alias-bomb.yaml')]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.trim().split('\n')).toEqual([
      `${join(BROKEN, 'alias-bomb.yaml')}:4:8: error yaml.aliases: aliases (*name) expand to too much data: more than 100 expansions (accepted: a file that repeats a value with a few aliases, not aliases of aliases)`,
      '1 error(s) in 1 files',
    ]);
  });

  it('says what to do when no path is given, in one line', async () => {
    expect(await runCli(['rules', 'validate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "tcpwarden rules: name at least one rule file or directory (see 'tcpwarden rules --help')\n",
    });
  });
});

describe('tcpwarden rules test', () => {
  it('runs the fixture tests of the shipped rules and exits 0', async () => {
    const { code, stdout } = await runCli(['rules', 'test', RULES]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS .*syn-flood\.test\.yaml:\d+ fires at the SYN-cookie plateau/m);
    expect(stdout.trim().split('\n').pop()).toMatch(/^\d+ passed, 0 failed \(4 test files, \d+ alerts\)$/);
  });

  it('exits 1 and shows what differed when a test fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpwarden-rules-test-'));
    try {
      writeFileSync(join(dir, 'r.yaml'), resetRule());
      writeFileSync(
        join(dir, 'r.test.yaml'),
        'tests:\n  - name: expects silence but gets an alert\n    generate:\n      - { to: 10s, rate: 5, event: { kind: rst_sent, raddr: 192.0.2.1 } }\n    expect: []\n',
      );
      const { code, stdout } = await runCli(['rules', 'test', dir]);
      expect(code).toBe(1);
      expect(stdout).toContain(`FAIL ${join(dir, 'r.test.yaml')}:2 expects silence but gets an alert\n     alert 1: unexpected firing resets at 2s {"raddr":"192.0.2.1"} {"count":10,"rate":1}\n`);
      expect(stdout).toContain('0 passed, 1 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
