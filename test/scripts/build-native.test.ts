/**
 * The install step on a machine that cannot build the collector: it must succeed and record why,
 * so everything that does not need the kernel still installs and works.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('scripts/build-native.js', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-build-'));
    for (const part of ['scripts', 'bpf']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
    mkdirSync(join(dir, 'native'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function buildWithPath(path: string, args: string[] = []) {
    return spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.js'), ...args], { env: { PATH: path }, encoding: 'utf8' });
  }

  test('without the toolchain: the install succeeds and records which packages to install', () => {
    // A PATH holding only node: no clang, no make, no compiler.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = buildWithPath(bin);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/collector not built: clang, .*not found: install with 'apt-get install clang /);
    expect(r.stderr).toMatch(/replay, rules\) still works/);
    const status = JSON.parse(readFileSync(join(dir, 'native', 'build-status.json'), 'utf8')) as { ok: boolean; reason: string };
    expect(status.ok).toBe(false);
    expect(status.reason).toMatch(/^clang, .*not found/);
  });

  test('--strict (development builds) fails instead', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    expect(buildWithPath(bin, ['--strict']).status).toBe(1);
  });
});
