/**
 * `npm run bench -- flood-bpf` (root): what one aggregated BPF run costs, at fixed flood rates, so
 * builds compare without the top-rate bench's spread (there a run's cost moves with the
 * generator's rate, which the shared machine moves by up to 2x). A collector in this process with
 * aggregation forced on, a spoofed SYN flood to a closed port from 1,024 sources for 4 s per
 * rate; kernel.bpf_stats_enabled=1 while it runs (bpf-run-time.ts). Compare builds in
 * alternating runs under the kernel lock (docs/benchmarks.md, "A slot table in front of the hash maps").
 */
import { loadavg } from 'node:os';
import { Collector } from '../src/collector/collector';
import { setUpSpoofedFlood } from '../test/support/spoofed-flood';
import type { Benchmark, Figures } from './benchmark';
import { bpfProgramRuns, bpfRunsBetween, enableBpfStats } from './flood/bpf-run-time';

const RATES = [100000, 200000];
const SECONDS = 4;
const SOURCES = 1024;
const CLOSED_PORT = 7;

export const benchmark: Benchmark = {
  name: 'flood-bpf',
  description: `ns per aggregated BPF run at ${RATES.join(' and ')} SYNs/s to a closed port from ${SOURCES} sources (${SECONDS} s each)`,
  async run(log) {
    const figures: Figures = { command: 'sudo npm run bench -- flood-bpf', 'load average at start': loadavg()[0].toFixed(2) };
    const setup = setUpSpoofedFlood();
    const restoreStats = enableBpfStats();
    try {
      for (const rate of RATES) {
        const collector = new Collector({ netns: setup.pair.server.inode, snmpIntervalMs: 0, names: false, aggregate: 'on' });
        collector.on('events', () => undefined);
        collector.start();
        const before = bpfProgramRuns(process.pid);
        const sent = await setup.flood(CLOSED_PORT, SECONDS, SOURCES, rate);
        const runs = bpfRunsBetween(before, bpfProgramRuns(process.pid));
        const resets = (await collector.stop()).tracepoints.find((t) => t.tracepoint === 'tcp:tcp_send_reset');
        log(`${rate} SYNs/s: ${sent.sent} sent, ${runs.runCount} BPF runs`);
        figures[`${rate} SYNs/s: ns per run`] = Math.round(runs.runTimeNs / runs.runCount);
        figures[`${rate} SYNs/s: aggregated / sent`] = (resets?.aggregated ?? 0) / sent.sent;
      }
    } finally {
      restoreStats();
      setup.destroy();
    }
    return figures;
  },
};
