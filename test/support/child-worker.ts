/** Spawns test/support/queue-worker-child.ts in a real child process and follows its reports. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BullmqConsumerOptions } from '../../src/queue/bullmq-consumer-options';
import { kill9 } from './kill9';

export interface ChildReport {
  owned?: number[];
  batch?: string;
  partition?: number;
  events?: number;
  error?: string;
}

export interface ChildWorker {
  process: ChildProcess;
  reports: ChildReport[];
  owned: number[];
  /** SIGKILL, as `kill -9`: no cleanup of any kind runs in the child. */
  kill9(): Promise<void>;
}

export function forkWorker(options: BullmqConsumerOptions): ChildWorker {
  const child = fork(join(__dirname, 'queue-worker-child.ts'), [JSON.stringify(options)], {
    execArgv: ['-r', join(__dirname, 'register-ts.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const w: ChildWorker = {
    process: child,
    reports: [],
    owned: [],
    kill9: () => kill9(child),
  };
  child.on('message', (m: ChildReport) => {
    if (m.owned) w.owned = m.owned;
    else w.reports.push(m);
  });
  return w;
}
