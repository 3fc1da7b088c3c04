/**
 * What naming the listener costs the counter sampler under a flood (src/collector/listener-sign.ts:
 * /proc/PID/net/tcp and tcp6 read and tallied, only in a sample where a counter rose).
 *
 * - kernel: a listener with a backlog of 4,096 (net.core.somaxconn's default) in a namespace of
 *   the bench's own, SYN cookies on, flooded with spoofed SYNs until its SYN queue is full: 4,096
 *   request sockets, the most one listener holds. listenerSign() timed there, and the plain counter read the
 *   sampler makes every interval (/proc/PID/net/netstat) as the reference. Then the same with
 *   tens of thousands of TIME_WAIT sockets beside it in the namespace (bench/gen/handshake-loop.c
 *   from the victim's namespace to a listener in the other one, BUSY_SECONDS long).
 * - text: the tally alone on a 100,000-line file built in the kernel's format (its parsing, without
 *   the kernel's side of producing the text).
 *
 * Figures are medians of 20 timed runs after 3 untimed ones.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseNetstat } from '../src/collector/netstat-counters';
import { listenerSign } from '../src/collector/listener-sign';
import { emptyListenQueues, tallyListenQueues } from '../src/collector/proc-net-tcp';
import { routeSpoofedPrefix } from '../test/support/attack-setup';
import { buildGenerator } from '../test/support/generators';
import { createNetnsPair } from '../test/support/netns';
import type { Benchmark, Figures } from './benchmark';
import { startListener } from './flood/listener';

const BACKLOG = 4096;
const PORT = 8443;
/** Seconds of short connections made from the victim's namespace, whose closed ends wait in TIME_WAIT there. */
const BUSY_SECONDS = Number(process.env.BENCH_SIGN_BUSY_SECONDS ?? 2);

/** Median milliseconds of `fn` over 20 runs after 3 warm-ups. */
function medianMs(fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Number(runs.sort((a, b) => a - b)[10].toFixed(3));
}

/** A /proc/net/tcp text of `lines` sockets: a tenth SYN_RECV on one endpoint, the rest TIME_WAIT. */
function syntheticText(lines: number): string {
  const out = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'];
  for (let i = 0; i < lines; i++) {
    const st = i % 10 === 0 ? '03' : '06';
    const remote = (0xac1e0000 + i).toString(16).toUpperCase().padStart(8, '0');
    out.push(`${String(i).padStart(4)}: 0100E70A:20FB ${remote}:${(1024 + (i % 60000)).toString(16).toUpperCase().padStart(4, '0')} ${st} 00000000:00000000 01:00000000 00000000     0        0 0 0 0000000065fd3257`);
  }
  return out.join('\n') + '\n';
}

export const benchmark: Benchmark = {
  name: 'listener-sign',
  description: `naming the flooded listener: /proc/PID/net/tcp{,6} read and tallied with ${BACKLOG} half-open requests (then beside ${BUSY_SECONDS} s of short connections' TIME_WAIT sockets), against the counter read alone`,
  async run(log) {
    const figures: Figures = {};
    const text = syntheticText(100_000);
    figures['text: tally of 100,000 lines, ms'] = medianMs(() => tallyListenQueues(text, emptyListenQueues()));

    const pair = createNetnsPair();
    const children: Array<{ kill(signal: NodeJS.Signals): void }> = [];
    try {
      const prefix = routeSpoofedPrefix(pair);
      pair.exec(pair.server, 'sysctl', ['-qw', 'net.ipv4.tcp_syncookies=1']);
      const listener = await startListener(pair, pair.server, buildGenerator('accept-loop'), PORT, BACKLOG);
      children.push(listener);
      const net = `/proc/${listener.pid}/net`;
      // `ip netns exec` execs the listener: its pid is in the namespace. The flood fills the queue.
      pair.exec(pair.client, buildGenerator('syn-flood'), [pair.server.v4, String(PORT), '1', prefix, '4096', '20000']);
      const sign = listenerSign(net);
      const halfOpen = emptyListenQueues();
      tallyListenQueues(readFileSync(`${net}/tcp`, 'latin1'), halfOpen);
      figures['kernel: half-open requests held'] = [...halfOpen.halfOpen.values()].reduce((a, b) => a + b, 0);
      figures['kernel: listener named'] = sign ? `${sign.addr}:${sign.port} (${sign.sign})` : 'none';
      figures['kernel: counter read (netstat), ms'] = medianMs(() => parseNetstat(readFileSync(`${net}/netstat`, 'utf8')));
      figures['kernel: listener sign, half-open only, ms'] = medianMs(() => listenerSign(net));

      log(`making short connections for ${BUSY_SECONDS} s`);
      children.push(await startListener(pair, pair.client, buildGenerator('accept-loop'), 8080, 4096));
      execFileSync('ip', ['netns', 'exec', pair.server.name, buildGenerator('handshake-loop'), String(BUSY_SECONDS), pair.client.v4, '8080'], { stdio: 'ignore' });
      const lines = readFileSync(`${net}/tcp`, 'latin1').split('\n').length - 2;
      figures['kernel: sockets listed, TIME_WAIT beside'] = lines;
      figures['kernel: listener sign, with TIME_WAIT, ms'] = medianMs(() => listenerSign(net));
    } finally {
      for (const c of children) c.kill('SIGKILL');
      pair.destroy();
    }
    return figures;
  },
};
