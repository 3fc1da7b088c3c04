/**
 * What the attack scenarios measured: one line per scenario on the terminal and, when
 * TCPWARDEN_SCENARIO_REPORT names a file, a JSON record per scenario merged into that file (each
 * test file runs in its own process, so the file is read, extended and rewritten). Benchmarks and
 * docs collect detection times from it; the tests never assert them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface ScenarioRecord {
  scenario: string;
  /** attack: the rule must fire; benign: nothing may fire; ladder: one step of an intensity ladder. */
  kind: 'attack' | 'benign' | 'ladder';
  rule?: string;
  /** What the traffic was, e.g. `{ synPerSecond: 100, seconds: 15 }`. */
  intensity: Record<string, number | string>;
  /** Webhook arrival minus the first packet of the attack, ms; null when it was not detected. */
  detectedMs?: number | null;
  /** Resolved webhook arrival minus the end of the attack traffic, ms. */
  resolvedMs?: number | null;
  /** Other alerts about the scenario's namespaces (rule ids), for tuning. */
  alsoFired?: string[];
  /** Alerts of a benign load: rule ids that fired (should be empty). */
  falseAlerts?: string[];
  at: string;
}

function write(record: ScenarioRecord): void {
  const file = process.env.TCPWARDEN_SCENARIO_REPORT;
  if (!file) return;
  const report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { scenarios: ScenarioRecord[] }) : { scenarios: [] };
  // A rerun replaces its own record (a ladder has one per intensity).
  const key = (r: ScenarioRecord) => JSON.stringify([r.scenario, r.kind, r.rule, r.intensity]);
  report.scenarios = report.scenarios.filter((r) => key(r) !== key(record));
  report.scenarios.push(record);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Prints `scenario NAME: rule RULE detected in 2.41 s ...` and records it. */
export function reportScenario(record: Omit<ScenarioRecord, 'at'>): void {
  let line = `scenario ${record.scenario}: `;
  if (record.kind === 'benign') {
    line += record.falseAlerts?.length ? `FALSE ALERTS ${record.falseAlerts.join(', ')}` : 'silent (0 alerts)';
  } else {
    line += `rule ${record.rule} `;
    line += record.detectedMs == null ? 'NOT detected' : `detected in ${seconds(record.detectedMs)}`;
    if (record.resolvedMs != null) line += `, resolved ${seconds(record.resolvedMs)} after the attack stopped`;
    if (record.alsoFired?.length) line += `; also fired: ${record.alsoFired.join(', ')}`;
  }
  line += ` [${Object.entries(record.intensity)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}]`;
  process.stdout.write(line + '\n');
  write({ ...record, at: new Date().toISOString() });
}
