import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfigSchema } from '../../src/config/config-schema';
import { loadConfigFile } from '../../src/config/load-config-file';
import { formatConfigErrors } from '../../src/config/config-load-result';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'tcpwarden.yaml');

test('examples/tcpwarden.yaml loads without errors and passes the editor schema', async () => {
  const result = await loadConfigFile(EXAMPLE);
  expect(formatConfigErrors(result)).toBe('');
  expect(result.ok).toBe(true);
  expect(result.config?.rules).toEqual([join(ROOT, 'rules')]);
  expect(validateConfigSchema(parse(readFileSync(EXAMPLE, 'utf8')))).toBe(true);
});

