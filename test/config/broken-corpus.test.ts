import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfigSchema } from '../../src/config/config-schema';
import { loadConfigFile } from '../../src/config/load-config-file';

/**
 * Each file in broken/ is a config with one mistake (several-errors.yaml: four, all reported at once); its first lines
 * say the errors the loader must report, in order: `# expect: LINE:COLUMN CODE MESSAGE`. A file
 * whose errors are structural (`schema.*`) must be refused by the editor schema too, so the
 * schema and the loader cannot drift apart.
 */
const DIR = join(__dirname, 'broken');
const EXPECT = /^# expect: (\d+):(\d+) (\S+) (.+)$/;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const SECRET = /hunter2|sekrit/;

test('the corpus has at least 12 broken files', () => {
  expect(files.length).toBeGreaterThanOrEqual(12);
});

test.each(files)('%s: reports its errors at the exact places', async (name) => {
  const file = join(DIR, name);
  const text = readFileSync(file, 'utf8');
  const expected = text
    .split('\n')
    .filter((l) => l.startsWith('# expect:'))
    .map((l) => {
      const m = EXPECT.exec(l);
      if (!m) throw new Error(`${name}: expectation lines are '# expect: LINE:COLUMN CODE MESSAGE', not '${l}'`);
      return { file, line: Number(m[1]), column: Number(m[2]), code: m[3], message: m[4] };
    });
  expect(expected.length).toBeGreaterThan(0);
  const result = await loadConfigFile(file, { hostname: 'test-host' });
  expect(result.ok).toBe(false);
  expect(result.config).toBeUndefined();
  expect(result.errors.map((e) => ({ file: e.location.file, line: e.location.line, column: e.location.column, code: e.code, message: e.message }))).toEqual(expected);
  for (const e of result.errors) {
    // Every error says what would be accepted, except YAML syntax, where the parser's message is all there is.
    if (e.code !== 'yaml.syntax') expect(e.accepted ?? '').not.toBe('');
    expect(JSON.stringify(e)).not.toMatch(SECRET);
  }
  if (expected.some((e) => e.code.startsWith('schema.'))) expect(validateConfigSchema(parse(text))).toBe(false);
});
