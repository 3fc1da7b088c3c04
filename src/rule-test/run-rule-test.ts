import { Engine } from '../engine/engine';
import type { Alert } from '../interfaces/alert';
import { replayEvents } from '../replay/replay-events';
import { formatDuration } from '../rules/duration';
import type { CompiledRule } from '../rules/compiled-rule';
import { generateEvents } from './generate-events';
import type { ExpectedAlert, RuleTestCase } from './rule-test-case';

export interface RuleTestResult {
  test: RuleTestCase;
  passed: boolean;
  /** What differed, one line each. */
  failures: string[];
  /** The alerts the test's rules produced. */
  alerts: Alert[];
}

function describe(a: Alert, startMs: number): string {
  return `${a.status} ${a.rule.id} at ${formatDuration(a.window.end - startMs)} ${JSON.stringify(a.group)} ${JSON.stringify(a.aggregates)}`;
}

function mismatch(expected: ExpectedAlert, actual: Alert, startMs: number): string | undefined {
  if (expected.rule !== undefined && expected.rule !== actual.rule.id) return `rule ${actual.rule.id}, expected ${expected.rule}`;
  if (expected.status !== undefined && expected.status !== actual.status) return `status ${actual.status}, expected ${expected.status}`;
  if (expected.atMs !== undefined && expected.atMs !== actual.window.end - startMs) {
    return `at ${formatDuration(actual.window.end - startMs)}, expected ${formatDuration(expected.atMs)}`;
  }
  for (const [k, v] of Object.entries(expected.group ?? {})) if (actual.group[k] !== v) return `group ${k}=${actual.group[k]}, expected ${v}`;
  for (const [k, v] of Object.entries(expected.aggregates ?? {})) if (actual.aggregates[k] !== v) return `${k}=${actual.aggregates[k]}, expected ${v}`;
  return undefined;
}

/** Runs one rule test: its events through a fresh engine with `rules`, its rules' alerts against the expected list. */
export async function runRuleTest(test: RuleTestCase, rules: CompiledRule[]): Promise<RuleTestResult> {
  const events = [...test.recorded, ...test.sequences.flatMap((s) => generateEvents(s, test.startMs))].sort((a, b) => a.ts - b.ts);
  const failures: string[] = [];
  const missing = test.rules.filter((id) => !rules.some((r) => r.id === id));
  if (missing.length > 0) failures.push(`no loaded rule has the id ${missing.join(', ')}`);
  const engine = new Engine(rules.filter((r) => test.rules.includes(r.id)));
  const alerts: Alert[] = [];
  const batches: typeof events[] = [];
  for (let i = 0; i < events.length; i += 4096) batches.push(events.slice(i, i + 4096));
  await replayEvents(engine, batches, (a) => {
    alerts.push(...a);
  });
  const n = Math.max(alerts.length, test.expect.length);
  for (let i = 0; i < n; i++) {
    const want = test.expect[i];
    const got = alerts[i];
    if (!got) failures.push(`alert ${i + 1}: none, expected ${JSON.stringify(want)}`);
    else if (!want) failures.push(`alert ${i + 1}: unexpected ${describe(got, test.startMs)}`);
    else {
      const diff = mismatch(want, got, test.startMs);
      if (diff) failures.push(`alert ${i + 1}: ${diff} (got ${describe(got, test.startMs)})`);
    }
  }
  return { test, passed: failures.length === 0, failures, alerts };
}
