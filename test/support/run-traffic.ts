/** Runs test/support/traffic.js inside a test namespace. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { NetnsHost, NetnsPair } from './netns';

export const TRAFFIC = join(__dirname, 'traffic.js');

/** Runs a generator to completion and returns its JSON result line. */
export function traffic(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<Record<string, unknown>> {
  const child = pair.spawn(host, process.execPath, [TRAFFIC, ...args]);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    // 'close', not 'exit': only 'close' guarantees stdout was read to its end.
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`traffic.js ${args.join(' ')} exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });
}

/** Starts a server and resolves once it listens; kill() it when done. */
export function server(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<ChildProcess> {
  const child = pair.spawn(host, process.execPath, [TRAFFIC, 'serve', ...args]);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`server ${args.join(' ')} exited ${code}`)));
  });
}
