/**
 * SIGTERM to a `tcpwarden run` child and what its stop logged: the bound it must exit within, and
 * its log lines (JSON, as the CLI writes them when stderr is not a terminal).
 */
import { STOP_DEADLINE_MS } from '../../src/detector/detector';
import type { CliResult, RunningCli } from './cli';
import { kill9 } from './kill9';

/**
 * The stop's documented deadline plus an honest margin for process start-up noise on a busy
 * machine: a behavioural bound (the stop honours its deadline), not a performance target.
 */
export const STOP_BOUND_MS = STOP_DEADLINE_MS + 5000;

export interface LogLine {
  msg: string;
  level: number;
  [field: string]: unknown;
}

export function logLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

export interface Stopped extends CliResult {
  /** From the SIGTERM to the process's exit. */
  tookMs: number;
  lines: LogLine[];
  /** The stop's last line (the detector's account of what it left). */
  last: LogLine;
}

/** Sends SIGTERM and waits for the exit, killing the child with -9 past STOP_BOUND_MS (the test then fails on tookMs). */
export async function sigterm(run: RunningCli): Promise<Stopped> {
  const sent = Date.now();
  run.child.kill('SIGTERM');
  const overdue = setTimeout(() => void kill9(run.child), STOP_BOUND_MS + 5000);
  const r = await run.done;
  clearTimeout(overdue);
  const tookMs = Date.now() - sent;
  const lines = logLines(r.stderr);
  const last = [...lines].reverse().find((l) => /^detector stopped/.test(l.msg)) ?? { msg: '(no detector stopped line)', level: 0 };
  return { ...r, tookMs, lines, last };
}

/** Children a test started, killed with -9 in afterEach if a failed test left them running. */
export class Children {
  private readonly runs: RunningCli[] = [];

  add(run: RunningCli): RunningCli {
    this.runs.push(run);
    return run;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.runs.splice(0).map((r) => kill9(r.child)));
  }
}
