/**
 * Parses /proc/<pid>/net/netstat: pairs of lines, a header naming the counters and a line of
 * values, per group (`TcpExt:`, `IpExt:`, ...). Returns `Group.Counter` -> value.
 */
export function parseNetstat(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].trim().split(/\s+/);
    const values = lines[i + 1].trim().split(/\s+/);
    const group = names[0]?.replace(/:$/, '');
    if (!group || values[0] !== names[0]) continue;
    for (let j = 1; j < names.length && j < values.length; j++) counters.set(`${group}.${names[j]}`, Number(values[j]));
  }
  return counters;
}
