/** Start, stop and process exit, for real: nothing left attached, nothing holding the process. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { Collector } from '../../src/collector/collector';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { describeKernel } from '../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../support/netns';
import { traffic } from '../support/run-traffic';
import { waitFor } from '../support/transport-contract';

const DIST = join(__dirname, '..', '..', 'dist', 'src', 'collector', 'collector.js');

function runNode(script: string) {
  return spawnSync(process.execPath, ['-e', `const { Collector } = require(${JSON.stringify(DIST)});\n${script}`], { encoding: 'utf8', timeout: 15000 });
}

describeKernel('collector lifecycle', () => {
  let pair: NetnsPair;
  beforeAll(() => {
    pair = createNetnsPair();
  });
  afterAll(() => pair?.destroy());

  test('async iteration yields decoded batches and ends after stop()', async () => {
    const collector = new Collector({ netns: pair.client.inode });
    const started = collector.start();
    // Linux 6.2 added bpf_rdonly_cast: from there on the programs read with plain loads (the
    // 5.10 and 6.1 VM suites check the probe-read path and say "cast reads no").
    const [major, minor] = release().split('.').map(Number);
    expect(started.castReads).toBe(major > 6 || (major === 6 && minor >= 2));
    const seen: TcpEvent[] = [];
    const consumed = (async () => {
      for await (const batch of collector) seen.push(...batch);
    })();
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '2']);
    await new Promise((r) => setTimeout(r, 100));
    const stats = await collector.stop();
    await consumed;
    expect(seen.filter((e) => e.kind === 'connect_refused')).toHaveLength(2);
    expect(stats.delivered).toBe(8);
  });

  test('the drain thread sleeps while no record comes, and the next record wakes it at once', async () => {
    // With a 10-minute slice, a thread left to sleep until the slice's work would hold the record
    // (and stop()) for minutes: a record must wake it, and stop() too.
    const collector = new Collector({ netns: pair.client.inode, aggregateSliceMs: 600_000 });
    collector.start();
    const seen: TcpEvent[] = [];
    collector.on('events', (batch: TcpEvent[]) => seen.push(...batch));
    const drain = readdirSync('/proc/self/task').find((t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'tcpwarden-drain');
    expect(drain).toBeDefined();
    const wakeups = () => Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${drain}/status`, 'utf8'))![1]);
    await new Promise((r) => setTimeout(r, 200));
    const before = wakeups();
    await new Promise((r) => setTimeout(r, 1000));
    // Polling every 10 ms, as it does while records come in, would be about 100.
    expect(wakeups() - before).toBeLessThan(10);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '1']);
    await waitFor('the refused connect', () => seen.some((e) => e.kind === 'connect_refused'), 5000);
    await new Promise((r) => setTimeout(r, 500)); // asleep again
    let stopped = false;
    const stopping = collector.stop().then(() => (stopped = true));
    await waitFor('the stop', () => stopped, 5000);
    await stopping;
  });

  test('process.exit() while running detaches cleanly (exit code 0, no crash)', () => {
    const r = runNode(`const c = new Collector(); c.start(); c.on('events', () => {});
      require('net').connect(9, '127.0.0.1').on('error', () => {});
      setTimeout(() => process.exit(0), 300);`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('after stop() nothing keeps the process alive', () => {
    const r = runNode(`const c = new Collector(); c.start();
      setTimeout(() => c.stop().then((s) => console.log('stopped', s.lost)), 200);`);
    expect(r.error).toBeUndefined(); // not killed by the timeout
    expect(r.stdout.trim()).toBe('stopped 0');
    expect(r.status).toBe(0);
  });

  test('a bad ring size is refused before anything loads', () => {
    expect(() => new Collector({ ringBytes: 5000 })).toThrow(/ring buffer size 5000 is not a power of two of at least 4096 bytes/);
  });

  test('an aggregation slice under 100 ms or not whole is refused before anything loads', () => {
    expect(() => new Collector({ aggregateSliceMs: 50 })).toThrow(/aggregation slice 50 ms is not a whole number of ms of at least 100/);
    expect(() => new Collector({ aggregateSliceMs: 150.5 })).toThrow(/aggregation slice 150.5 ms/);
    expect(() => new Collector({ aggregateSliceMs: 250, names: false })).not.toThrow();
  });
});
