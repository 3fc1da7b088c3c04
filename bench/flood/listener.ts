/** A real listener (bench/gen/accept-loop.c) in a namespace, resolved once it listens. */
import type { ChildProcess } from 'node:child_process';
import type { NetnsHost, NetnsPair } from '../../test/support/netns';

export function startListener(pair: NetnsPair, host: NetnsHost, acceptLoop: string, port: number, backlog: number): Promise<ChildProcess> {
  const child = pair.spawn(host, acceptLoop, [String(port), String(backlog)]);
  return new Promise((resolve, reject) => {
    let said = '';
    child.stdout!.on('data', (d: Buffer) => {
      said += d.toString();
      if (said.includes('listening')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    child.once('exit', (code) => reject(new Error(`accept-loop on port ${port} exited ${code}: ${said.trim()}`)));
  });
}
