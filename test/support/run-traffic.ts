/** Runs test/support/traffic.js and attack-traffic.js inside a test namespace. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { NetnsHost, NetnsPair } from './netns';

export const TRAFFIC = join(__dirname, 'traffic.js');
export const ATTACK_TRAFFIC = join(__dirname, 'attack-traffic.js');

/** Starts `cmd args` inside some namespace (a pair's host, a container's netns). */
export type SpawnIn = (cmd: string, args: string[]) => ChildProcess;

export const inHost =
  (pair: NetnsPair, host: NetnsHost): SpawnIn =>
  (cmd, args) =>
    pair.spawn(host, cmd, args);

/** Resolves with the last JSON line a generator printed once it exits 0. */
function jsonResult<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    // 'close', not 'exit': only 'close' guarantees stdout was read to its end.
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`${what} exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
    });
  });
}

/** Runs a generator to completion and returns its JSON result line. */
export function traffic(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<Record<string, unknown>> {
  return jsonResult(pair.spawn(host, process.execPath, [TRAFFIC, ...args]), `traffic.js ${args.join(' ')}`);
}

/** What attack-traffic.js did: `started` is the epoch ms of its first packet. */
export interface AttackResult {
  started: number;
  issued?: number;
  outcomes: Record<string, number>;
  [key: string]: unknown;
}

/** Runs a paced attack-traffic.js load to completion; `track` sees the child (to kill it on failure). */
export function attackTraffic(spawnIn: SpawnIn, args: string[], track?: (child: ChildProcess) => void): Promise<AttackResult> {
  const child = spawnIn(process.execPath, [ATTACK_TRAFFIC, ...args]);
  track?.(child);
  return jsonResult(child, `attack-traffic.js ${args.join(' ')}`);
}

/** Starts a traffic.js server and resolves once it listens; kill() it when done. */
export function startServer(spawnIn: SpawnIn, args: string[]): Promise<ChildProcess> {
  const child = spawnIn(process.execPath, [TRAFFIC, 'serve', ...args]);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`server ${args.join(' ')} exited ${code}`)));
  });
}

/** Starts a server in a pair's host and resolves once it listens; kill() it when done. */
export function server(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<ChildProcess> {
  return startServer(inHost(pair, host), args);
}
