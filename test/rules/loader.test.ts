import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic } from '../../src/rules/diagnostic';
import { loadRules, ruleFiles } from '../../src/rules/loader';
import { resetRule } from '../support/rules';

describe('loading rule paths from disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpwarden-loader-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a directory that links back to one above it, once, by the path that loops, and still loads the rest', async () => {
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'a.yaml'), resetRule());
    symlinkSync('..', join(dir, 'rules', 'self'));
    const result = await loadRules([join(dir, 'rules')]);
    // self leads to the parent, which is not inside the search yet; its rules/ is.
    expect(result.errors.map(formatDiagnostic)).toEqual([
      `${join(dir, 'rules', 'self', 'rules')}:1:1: error file.loop: a symbolic link loop: this is ${join(dir, 'rules')} again, a directory it is inside of (accepted: symbolic links that do not lead back into a directory above them)`,
    ]);
    // The rule is read once, not once per trip round the loop (which made its id a duplicate).
    expect(result.files).toEqual([join(dir, 'rules', 'a.yaml')]);
  });

  it('reports links that lead to each other as a loop, naming each', async () => {
    symlinkSync('y.yaml', join(dir, 'x.yaml'));
    symlinkSync('x.yaml', join(dir, 'y.yaml'));
    const found = await ruleFiles([dir]);
    expect(found.files).toEqual([]);
    expect(found.diagnostics.map((d) => [d.code, d.location.file, d.message])).toEqual([
      ['file.loop', join(dir, 'x.yaml'), 'a symbolic link loop: the link leads back to itself'],
      ['file.loop', join(dir, 'y.yaml'), 'a symbolic link loop: the link leads back to itself'],
    ]);
  });

  it('reports files that are too large or not UTF-8 with the other files\' errors, without reading them as rules', async () => {
    writeFileSync(join(dir, 'a.yaml'), resetRule());
    writeFileSync(join(dir, 'b.yaml'), Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    writeFileSync(join(dir, 'c.yaml'), Buffer.alloc(1024 * 1024 + 1, 0x23));
    const result = await loadRules([dir]);
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => [e.code, e.location.file, e.location.line, e.location.column])).toEqual([
      ['file.encoding', join(dir, 'b.yaml'), 1, 6],
      ['file.too-large', join(dir, 'c.yaml'), 1, 1],
    ]);
  });
});
