/**
 * The install step on a machine that cannot build the collector: it must succeed and record why,
 * so everything that does not need the kernel still installs and works.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

describe('a package installed without the collector', () => {
  test('tcpwarden events says why the collector is unavailable, in one line', () => {
    // A copy of the built package whose native build failed: no addon, only the recorded reason.
    const dir = mkdtempSync(join(tmpdir(), 'tw-noaddon-'));
    try {
      for (const part of ['package.json', 'bin', 'dist']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      mkdirSync(join(dir, 'native'));
      const reason = "clang, bpftool not found: install with 'apt-get install clang bpftool', then run 'npm rebuild tcpwarden'";
      writeFileSync(join(dir, 'native', 'build-status.json'), JSON.stringify({ ok: false, reason }));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'tcpwarden'), 'events'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      const expected = process.getuid?.() === 0 ? `tcpwarden events: collector unavailable: ${reason}` : /needs root/;
      expect(r.stderr.trim()).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
