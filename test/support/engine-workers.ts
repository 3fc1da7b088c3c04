/** Starts test/support/engine-worker.js (an engine-role detector) as a child process and follows what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DetectorOptions } from '../../src/detector/detector-options';
import type { Alert } from '../../src/interfaces/alert';
import { kill9 } from './kill9';

export interface EngineWorkerArgs {
  url: string;
  partitions: number;
  rules: string[];
  /** Alerts also go to this webhook, delivered through the same Redis. */
  webhook?: string;
  worker?: DetectorOptions['worker'];
}

export interface EngineWorker {
  child: ChildProcess;
  /** The partitions it owns, as last printed. */
  owned: number[];
  alerts: Alert[];
  /** SIGKILL, as `kill -9`: nothing runs in the child. */
  kill9(): Promise<void>;
}

const SCRIPT = join(__dirname, 'engine-worker.js');

export function startEngineWorker(args: EngineWorkerArgs): EngineWorker {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const w: EngineWorker = {
    child,
    owned: [],
    alerts: [],
    kill9: () => kill9(child),
  };
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl)) as { owned?: number[]; alert?: Alert };
      buf = buf.slice(nl + 1);
      if (msg.owned) w.owned = msg.owned;
      if (msg.alert) w.alerts.push(msg.alert);
    }
  });
  return w;
}

/** What must be equal between two runs' alerts: which notifications, for which groups, with which figures. */
export function comparableAlerts(alerts: Alert[]): string[] {
  return alerts.map((a) => `${a.id} ${a.rule.id} ${a.status} ${a.dedupKey} ${JSON.stringify(a.aggregates)}`).sort();
}
