/** tcpwarden's tracepoint programs loaded in the kernel right now, as bpftool lists them. */
import { execFileSync } from 'node:child_process';

export const TCPWARDEN_PROGRAMS = new Set(['tcp_retransmit_synack', 'tcp_retransmit_skb', 'tcp_send_reset', 'tcp_receive_reset', 'tcp_destroy_sock', 'inet_sock_set_state']);

export function loadedPrograms(): number {
  const progs = JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' })) as Array<{ type: string; name?: string }>;
  return progs.filter((p) => p.type === 'tracepoint' && p.name !== undefined && TCPWARDEN_PROGRAMS.has(p.name)).length;
}

/** The kernel frees programs once their last file descriptor closes, which may lag a process exit. */
export async function programsBackTo(count: number): Promise<number> {
  for (let i = 0; i < 50 && loadedPrograms() !== count; i++) await new Promise((res) => setTimeout(res, 100));
  return loadedPrograms();
}
