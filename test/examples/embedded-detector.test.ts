/** The embedding example runs as documented: the real collector, an attack, an alert in code. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKernel } from '../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../support/netns';
import { traffic } from '../support/run-traffic';
import { roomInWindow } from '../support/window-boundary';

const EXAMPLE = join(__dirname, '..', '..', 'dist', 'examples', 'embedded-detector.js');

describeKernel('examples/embedded-detector.ts', () => {
  let pair: NetnsPair;
  let dir: string;
  beforeAll(() => {
    pair = createNetnsPair();
    dir = mkdtempSync(join(tmpdir(), 'tw-example-'));
  });
  afterAll(() => {
    pair?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints the alert a port scan fires, then stops cleanly', async () => {
    const child = spawn(process.execPath, [EXAMPLE], { env: { ...process.env, DURATION: '16', STATE_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('watching with') && resolve()));
    // 30 closed ports probed from one peer: port-scan (and refused-connections' count stays under its threshold).
    await roomInWindow(3000);
    expect(await traffic(pair, pair.client, ['scan', pair.server.v4, '2000', '2029'])).toEqual({ ECONNREFUSED: 30 });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(err).not.toMatch(/"level":(50|60)|detector error|lost \d+ events/); // the detector's info logs go to stderr
    expect(code).toBe(0);
    expect(out).toMatch(/^watching with \d+ rules$/m);
    // Fired at the first slice boundary with 20 ports or more: all 30 unless the scan straddled one.
    expect(out).toMatch(new RegExp(`^firing \\w+ port-scan: Port scan from ${pair.client.v4.replace(/\./g, '\\.')}: (2\\d|30) closed ports probed`, 'm'));
    expect(out.trim().split('\n').pop()).toBe('stopped');
  }, 30000);
});
