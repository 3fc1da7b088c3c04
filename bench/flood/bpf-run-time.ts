/**
 * The kernel's own accounting of BPF programs' run time: with kernel.bpf_stats_enabled=1 each
 * program counts its runs and the nanoseconds they took (run_cnt, run_time_ns), shown in the
 * fdinfo of every file descriptor that holds it. The counting itself costs two clock reads per
 * run, so it is on only while a benchmark measures.
 */
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';

const STATS_SWITCH = '/proc/sys/kernel/bpf_stats_enabled';

export interface BpfProgramRun {
  id: number;
  runTimeNs: number;
  runCount: number;
}

/** Turns run-time accounting on; the returned function puts the switch back as it was. */
export function enableBpfStats(): () => void {
  const before = readFileSync(STATS_SWITCH, 'utf8').trim();
  writeFileSync(STATS_SWITCH, '1');
  return () => writeFileSync(STATS_SWITCH, before);
}

/** The BPF programs PID holds open (tcpwarden's collector holds each of its programs), with their counters now. */
export function bpfProgramRuns(pid: number): BpfProgramRun[] {
  const runs: BpfProgramRun[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:bpf-prog') continue;
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(info)?.[1] ?? NaN);
    runs.push({ id: field('prog_id'), runTimeNs: field('run_time_ns'), runCount: field('run_cnt') });
  }
  return runs;
}

/** Run time and runs added between two readings of the same process, summed over its programs. */
export function bpfRunsBetween(before: BpfProgramRun[], after: BpfProgramRun[]): { runTimeNs: number; runCount: number } {
  let runTimeNs = 0;
  let runCount = 0;
  for (const a of after) {
    const b = before.find((p) => p.id === a.id);
    runTimeNs += a.runTimeNs - (b?.runTimeNs ?? 0);
    runCount += a.runCount - (b?.runCount ?? 0);
  }
  return { runTimeNs, runCount };
}
