/**
 * The live descendants of a process, from /proc: what the test environment's leftover guard and a
 * benchmark run stopped by a signal (bench/take-down.ts) look for. Zombies are left out: they
 * hold nothing and go with their parent.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function descendantPids(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parentOf.set(pid, Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const mine: number[] = [];
  for (const pid of parentOf.keys()) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== root) p = parentOf.get(p);
    if (p === root && pid !== root) mine.push(pid);
  }
  return mine;
}
