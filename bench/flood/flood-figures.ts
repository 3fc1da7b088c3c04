/** The flood benchmark's figures for one target: medians over its rounds, each beside the reference's. */
import type { Figures } from '../benchmark';
import type { DetectorFigures, FloodRun } from './flood-run';

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (n: number, digits = 0) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

/** The victim's capacity with the detector against the mean of its capacity right before and after. */
function bracketRatio(r: FloodRun): number {
  const b = r.benignBracket;
  return b ? r.benignRate / ((b.before + b.after) / 2) : NaN;
}

/** `runs` by key: 'reference', then one key per detector path and variant. */
export function floodFigures(target: string, runs: Map<string, FloodRun[]>): Figures {
  const reference = runs.get('reference') ?? [];
  const refBenign = median(reference.map((r) => r.benignRate));
  const out: Figures = {
    [`${target} reference: packets/s`]: round(median(reference.map((r) => r.rate))),
    [`${target} reference: packets/s per source`]: round(median(reference.map((r) => r.perSourceRate)), 1),
    [`${target} reference: packets/s beside the benign client`]: round(median(reference.map((r) => r.rateWithBenign))),
    [`${target} reference: benign connects/s`]: round(refBenign),
    [`${target} reference: benign failures (median)`]: round(median(reference.map((r) => r.benignFailures))),
  };
  for (const [key, list] of runs) {
    if (key === 'reference') continue;
    const p = `${target} ${key}:`;
    const d = list.map((r) => ({ run: r, det: r.detector as DetectorFigures }));
    const perMillion = (cpu: (x: DetectorFigures) => number) => round(median(d.map(({ run, det }) => (cpu(det) / run.sent) * 1e6)), 3);
    const detected = d.filter(({ det }) => det.detectMs !== null);
    const counted = d.filter(({ det }) => det.counted !== null);
    Object.assign(out, {
      [`${p} packets/s`]: round(median(list.map((r) => r.rate))),
      [`${p} packets/s beside the benign client`]: round(median(list.map((r) => r.rateWithBenign))),
      [`${p} benign connects/s`]: round(median(list.map((r) => r.benignRate))),
      [`${p} benign failures (median)`]: round(median(list.map((r) => r.benignFailures))),
      [`${p} benign ratio to reference`]: round(median(list.map((r) => r.benignRate)) / refBenign, 3),
      [`${p} benign connects/s with no detector, right before and after`]: `${round(median(list.map((r) => r.benignBracket?.before ?? NaN)))}, ${round(median(list.map((r) => r.benignBracket?.after ?? NaN)))}`,
      [`${p} benign ratio to the mean of before and after, median of runs (goal >= 0.95)`]: round(median(list.map(bracketRatio)), 3),
      [`${p} cores, tcpwarden threads`]: round(median(d.map(({ run, det }) => det.userCpuFlood / (run.sent / run.rate))), 3),
      [`${p} cores, tcpwarden threads, steady (after the first 1.5 s)`]: round(median(d.map(({ det }) => (det.userCpuSteady ? det.userCpuSteady.cpu / det.userCpuSteady.seconds : NaN))), 3),
      [`${p} cores, tcpwarden threads beside the benign client`]: round(median(d.map(({ det }) => det.userCpuBenign.cpu / det.userCpuBenign.seconds)), 3),
      [`${p} cores, redis-server`]: round(median(d.map(({ run, det }) => det.redisCpuFlood / (run.sent / run.rate))), 3),
      [`${p} cores, BPF programs`]: round(median(d.map(({ run, det }) => det.bpfRunTimeNs / 1e9 / (run.sent / run.rate))), 3),
      [`${p} CPU-s per M packets, tcpwarden threads`]: perMillion((x) => x.userCpuTotal),
      [`${p} CPU-s per M packets, redis-server`]: perMillion((x) => x.redisCpuTotal),
      [`${p} CPU-s per M packets, BPF programs`]: perMillion((x) => x.bpfRunTimeNs / 1e9),
      [`${p} BPF runs per packet, ns per run`]: `${round(median(d.map(({ run, det }) => det.bpfRuns / run.sent)), 2)}, ${round(median(d.map(({ det }) => det.bpfRunTimeNs / det.bpfRuns)))}`,
      [`${p} time to detect ms`]:
        detected.length > 0 ? `${round(median(detected.map(({ det }) => det.detectMs as number)))} (${[...new Set(detected.map(({ det }) => det.detectRule))].join(', ')}; ${detected.length}/${d.length} runs)` : `not detected (0/${d.length} runs)`,
      [`${p} counted / sent (goal 0.99-1.01)`]: counted.length > 0 ? round(median(counted.map(({ det }) => (det.counted as number) / det.sentInAll)), 4) : null,
      [`${p} lost events (metrics), loss in the count alert`]: `${round(median(d.map(({ det }) => det.metricsLost)))}, ${round(median(d.map(({ det }) => det.alertLoss ?? NaN)))}`,
      [`${p} other rules that fired`]: [...new Set(d.flatMap(({ det }) => det.otherRules))].join(', ') || 'none',
    });
  }
  return out;
}
