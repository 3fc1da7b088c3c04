/**
 * What a benchmark run leaves when a signal stops it. A signal skips every benchmark's `finally`,
 * so on SIGINT or SIGTERM the run kills every process it started (detectors, generators,
 * listeners, redis-servers: its descendants, found in /proc) and removes the network namespaces it
 * made (`ip netns del` takes their veth pairs and routes along), then exits.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { NETNS_TAG } from '../test/support/netns-tag';
import { descendantPids } from '../test/support/process-tree';

/** The collector benchmark's namespace (a name of its own, so a later run can tell it is stale). */
export const COLLECTOR_BENCH_NETNS_PREFIX = 'twbench';

function takeDown(): void {
  for (const pid of descendantPids(process.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  const names = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]);
  for (const name of names) {
    if (name.startsWith(NETNS_TAG) || name === `${COLLECTOR_BENCH_NETNS_PREFIX}${process.pid}`) spawnSync('ip', ['netns', 'del', name]);
  }
}

export function takeDownOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      takeDown();
      process.exit(128 + constants.signals[signal]);
    });
  }
}
