import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleTexts } from '../../src/rules/loader';

/**
 * Each file in broken/ is a rule file with exactly one mistake; its first line says the error
 * the loader must report: `# expect: LINE:COLUMN CODE [RULE ID] MESSAGE`.
 */
const DIR = join(__dirname, 'broken');
const EXPECT = /^# expect: (\d+):(\d+) (\S+)(?: \[([^\]]+)\])? (.+)$/;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

test('the corpus has at least 30 broken files', () => {
  expect(files.length).toBeGreaterThanOrEqual(30);
});

test.each(files)('%s: reports its one error at the exact place', (file) => {
  const text = readFileSync(join(DIR, file), 'utf8');
  const m = EXPECT.exec(text.split('\n')[0]);
  if (!m) throw new Error(`${file}: the first line must be '# expect: LINE:COLUMN CODE [RULE] MESSAGE'`);
  const [, line, column, code, ruleId, message] = m;
  const result = loadRuleTexts([{ file, text }]);
  expect(result.ok).toBe(false);
  expect(result.rules).toEqual([]);
  expect(result.errors.map((e) => ({ line: e.location.line, column: e.location.column, code: e.code, ruleId: e.ruleId, message: e.message, file: e.location.file }))).toEqual([
    { line: Number(line), column: Number(column), code, ruleId, message, file },
  ]);
});
