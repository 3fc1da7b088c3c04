import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from '../../src/config/config-defaults';
import schema from '../../schema/config.schema.json';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
const rows = new Map(
  DOC.split('\n')
    .map((l) => /^\| `([A-Za-z.]+)` \| (.+?) \|/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]),
);

type Props = Record<string, { properties?: Props }>;

/** Every key path of the schema, sections (`queue`) and leaves (`queue.linger`) apart; alerts' keys are documented in alerts.md. */
function keyPaths(props: Props, prefix = ''): Array<{ path: string; leaf: boolean }> {
  return Object.entries(props).flatMap(([k, v]) => {
    const section = v.properties && prefix + k !== 'alerts';
    return [{ path: prefix + k, leaf: !section }, ...(section ? keyPaths(v.properties!, `${prefix}${k}.`) : [])];
  });
}

test('docs/configuration.md has a row for every key of the schema (sections optional), and rows for nothing else', () => {
  const paths = keyPaths(schema.properties as Props);
  const leaves = paths.filter((p) => p.leaf).map((p) => p.path);
  expect(leaves.filter((p) => !rows.has(p))).toEqual([]);
  expect([...rows.keys()].filter((r) => !paths.some((p) => p.path === r))).toEqual([]);
});

test("each documented default is the loader's default", () => {
  const flat = (o: object, prefix = ''): Array<[string, unknown]> =>
    Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${prefix}${k}.`) : [[prefix + k, v] as [string, unknown]]));
  for (const [key, value] of flat(CONFIG_DEFAULTS)) expect([key, rows.get(key)]).toEqual([key, expect.stringContaining(`\`${value}\``)]);
});
