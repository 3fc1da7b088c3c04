/**
 * A fresh machine of the kind this project runs on has no tracefs mounted. `tcpwarden run` is
 * started in a mount namespace of its own where tracefs is mounted nowhere (neither
 * /sys/kernel/tracing nor debugfs's tracing directory): it must mount it, say so in one line,
 * and detect a real attack. The host's own mounts are not touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type RunningCli } from '../../support/cli';
import { describeKernel } from '../../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../../support/netns';
import { traffic } from '../../support/run-traffic';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

/** Unmounts every tracefs (and debugfs, whose tracing/ directory mounts tracefs on access), then runs the CLI. */
const WITHOUT_TRACEFS = [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-c',
  `for m in /sys/kernel/debug/tracing /sys/kernel/debug /sys/kernel/tracing; do umount -l "$m" 2>/dev/null; done
   if grep -qE ' (tracefs|debugfs) ' /proc/self/mounts; then echo 'tracefs still mounted' >&2; exit 97; fi
   exec "$0" "$@"`,
];

describeKernel('tcpwarden run on a machine without tracefs', () => {
  let pair: NetnsPair;
  let receiver: WebhookReceiver;
  let dir: string;
  let run: RunningCli | undefined;
  beforeAll(async () => {
    pair = createNetnsPair();
    receiver = await startWebhookReceiver();
    dir = mkdtempSync(join(tmpdir(), 'tw-notracefs-'));
  });
  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGKILL');
      await run.done;
    }
    pair?.destroy();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('mounts tracefs, says so once, and alerts on refused connections', async () => {
    run = startCli(['run', '--webhook', receiver.url, '--state-dir', dir, '--log-level', 'info'], { wrap: WITHOUT_TRACEFS });
    await run.stderrLine(/detector running/);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '150']);
    const alert = await receiver.waitForRequest((r) => (JSON.parse(r.body) as { rule: { id: string } }).rule.id === 'refused-connections', 30000);
    expect(JSON.parse(alert.body)).toMatchObject({ status: 'firing', group: { raddr: pair.client.v4, netns: pair.server.inode } });
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr.match(/tracefs was not mounted: mounted it/g)).toHaveLength(1);
  }, 60000);
});
