/**
 * `tcpwarden run` as the attack scenarios use it: a child process with the shipped rules, alerts on
 * stdout as JSON and POSTed to a local webhook receiver, and the two scenario shapes built on it:
 * an attack that must fire one rule for one group (and resolve), and a benign load that must fire
 * nothing. Both print and record what they measured (scenario-report.ts) and assert only what
 * does not depend on the engine's timing: every wait has a deadline, no duration is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../src/interfaces/alert';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { formatLoadResult } from '../../src/rules/load-result';
import { loadRules } from '../../src/rules/loader';
import { startCli, stopCli, type RunningCli } from './cli';
import { freePort } from './free-port';
import { reportScenario } from './scenario-report';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** One connect to a loopback port nobody listens on. */
async function refuseOnLoopback(): Promise<void> {
  const port = await freePort();
  await new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('error', () => resolve());
    s.once('connect', () => (s.destroy(), resolve()));
  });
}

export const SHIPPED_RULES = join(__dirname, '..', '..', 'rules');

/** How late the live runner judges a window, and how often (the engine's defaults in `tcpwarden run`). */
const JUDGE_DELAY_MS = 2000 + 1000;

/** A generic-JSON webhook body as received (times as RFC 3339 strings), with its arrival time. */
export type ReceivedAlert = Omit<Alert, 'window' | 'startsAt' | 'endsAt'> & { at: number };

export interface ScenarioDetector {
  run: RunningCli;
  receiver: WebhookReceiver;
  /** Every alert the webhook received so far, oldest first. */
  alerts(): ReceivedAlert[];
  /** The ids of the alerts printed on stdout (`--json`) so far. */
  printedIds(): Set<string>;
  /** Resolves with the first received alert (from index `from`) that `pred` accepts; rejects after `timeoutMs` naming `what`. */
  waitFor(pred: (a: ReceivedAlert) => boolean, timeoutMs: number, what: string, from?: number): Promise<ReceivedAlert>;
  stop(): Promise<void>;
}

/** The shipped rules by id (their window, cooldown and resolve settings give the waits' deadlines). */
export async function shippedRules(): Promise<Map<string, CompiledRule>> {
  const result = await loadRules([SHIPPED_RULES]);
  if (!result.ok) throw new Error(`shipped rules invalid:\n${formatLoadResult(result)}`);
  return new Map(result.rules.map((r) => [r.id, r]));
}

/**
 * Starts the detector. With `warmUp`, returns only once its rules have seen traffic for a whole
 * window: a rule with a baseline reports no spike in its very first window (it has no past), so
 * an attack played at once would be judged against nothing. The traffic is one refused connect on
 * loopback (exempt from the shipped rules).
 */
export async function startScenarioDetector(options: { warmUp?: boolean } = {}): Promise<ScenarioDetector> {
  const receiver = await startWebhookReceiver();
  const stateDir = mkdtempSync(join(tmpdir(), 'tw-scenario-'));
  const run = startCli(['run', '--rules', SHIPPED_RULES, '--json', '--webhook', receiver.url, '--state-dir', stateDir]);
  const stop = async () => {
    await stopCli(run);
    await receiver.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await run.stderrLine(/detector running/);
  } catch (err) {
    await stop();
    throw err;
  }
  if (options.warmUp) {
    await refuseOnLoopback();
    const longest = Math.max(...[...(await shippedRules()).values()].map((r) => r.windowMs));
    await new Promise((r) => setTimeout(r, longest + JUDGE_DELAY_MS));
  }
  let stdout = '';
  run.child.stdout!.on('data', (d) => (stdout += d));
  const alerts = () => receiver.requests.map((r) => ({ ...(JSON.parse(r.body) as Omit<ReceivedAlert, 'at'>), at: r.at }));
  return {
    run,
    receiver,
    alerts,
    printedIds: () =>
      new Set(
        stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => (JSON.parse(l) as Alert).id),
      ),
    async waitFor(pred, timeoutMs, what, from = 0) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = alerts().slice(from).find(pred);
        if (hit) return hit;
        if (run.child.exitCode !== null) throw new Error(`tcpwarden run exited (${run.child.exitCode}) while waiting for ${what}`);
        if (Date.now() > until) throw new Error(`no ${what} within ${(timeoutMs / 1000).toFixed(0)} s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop,
  };
}

/** Whether an alert is about one of these network namespaces (its group or the events it counted). */
export const about = (a: ReceivedAlert, inodes: number[]) => inodes.includes(Number(a.group.netns)) || a.netns.some((n) => inodes.includes(n));

/** The kinds, states and reasons of an alert's sample events, e.g. `retransmit/FIN_WAIT1 x3`. */
const sampleKinds = (a: ReceivedAlert) => {
  const counts = new Map<string, number>();
  for (const e of a.samples) {
    const k = [e.kind, e.state, e.reason].filter(Boolean).join('/');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} x${n}`).join(', ');
};

const describeAlert = (a: ReceivedAlert) => `${a.rule.id} ${a.status} ${JSON.stringify(a.group)}`;

export interface AttackScenario {
  scenario: string;
  rule: string;
  /** Group values the firing alert must carry (a subset of its group). */
  group: Record<string, string | number>;
  /** The scenario's own namespaces: alerts about others (other tests, the host) are ignored. */
  inodes: number[];
  intensity: Record<string, number | string>;
  /** How long the traffic lasts, ms (for the deadlines). */
  trafficMs: number;
  /** Plays the attack to its end; resolves with the epoch ms of its first packet. */
  play(): Promise<{ started: number }>;
  /** Runs once the attack traffic is over (e.g. lifts the SYN-ACK drop so half-open requests end). */
  afterTraffic?(): void | Promise<void>;
  /** How long the kernel keeps producing the attack's events after the traffic stops, ms. */
  tailMs?: number;
}

/** Whether an alert is the scenario's rule firing for its group. */
const firingOf = (s: Pick<AttackScenario, 'rule' | 'group'>) => (a: ReceivedAlert) =>
  a.status === 'firing' && a.rule.id === s.rule && Object.entries(s.group).every(([k, v]) => a.group[k] === v);

/**
 * Plays an attack to its end while watching for the rule's firing (received from index `from`,
 * within `deadlineMs` of the start): the firing, if any, and the epoch ms of the first packet.
 */
export async function playUntilFiring(
  detector: ScenarioDetector,
  s: Pick<AttackScenario, 'rule' | 'group' | 'play'>,
  deadlineMs: number,
  from = detector.alerts().length,
): Promise<{ firing?: ReceivedAlert; started: number }> {
  const played = s.play();
  played.catch(() => undefined); // awaited below, failing the caller
  const firing = await detector.waitFor(firingOf(s), deadlineMs, `${s.rule} firing`, from).catch((err: Error) => {
    if (/^no .* within/.test(err.message)) return undefined;
    throw err;
  });
  const { started } = await played;
  return { firing, started };
}

/**
 * Plays an attack and checks what the detector made of it: the rule fires for the expected group
 * and the victim's namespace; at most one firing per cooldown for that group; a resolution once
 * the attack is over. Prints and records the time to detect (webhook arrival minus the attack's
 * first packet) without asserting it. `trafficOver` is called once the attack has fired and its
 * traffic is over (after `afterTraffic`), before the wait for the resolution.
 */
export async function expectDetection(
  detector: ScenarioDetector,
  rules: Map<string, CompiledRule>,
  s: AttackScenario,
  trafficOver: () => void = () => undefined,
): Promise<ReceivedAlert> {
  const rule = rules.get(s.rule);
  if (!rule) throw new Error(`no shipped rule ${s.rule}`);
  const from = detector.alerts().length;
  const mine = () =>
    detector
      .alerts()
      .slice(from)
      .filter((a) => about(a, s.inodes));
  const report = (detectedMs: number | null, resolvedMs: number | null, firingKey?: string) =>
    reportScenario({
      scenario: s.scenario,
      kind: 'attack',
      rule: s.rule,
      intensity: s.intensity,
      detectedMs,
      resolvedMs,
      alsoFired: [...new Set(mine().filter((a) => a.dedupKey !== firingKey && a.status === 'firing').map((a) => a.rule.id))],
    });

  const deadline = s.trafficMs + 2 * rule.windowMs + JUDGE_DELAY_MS + 10_000;
  const { firing, started } = await playUntilFiring(detector, s, deadline, from);
  if (!firing) {
    report(null, null);
    const seen = mine().map(describeAlert);
    throw new Error(
      `${s.scenario}: no ${s.rule} firing for ${JSON.stringify(s.group)} within ${deadline / 1000} s; alerts about the scenario's namespaces: ${seen.length ? seen.join('; ') : 'none'}`,
    );
  }
  await s.afterTraffic?.();
  const ended = Date.now();
  trafficOver();
  expect(firing.netns).toContain(Number(firing.group.netns ?? s.inodes[0]));

  let resolved: ReceivedAlert | undefined;
  try {
    resolved = await detector.waitFor(
      (a) => a.status === 'resolved' && a.dedupKey === firing.dedupKey,
      (s.tailMs ?? 0) + rule.resolveMs + rule.windowMs + JUDGE_DELAY_MS + 20_000,
      `${s.rule} resolved for ${firing.dedupKey}`,
      from,
    );
  } finally {
    report(firing.at - started, resolved ? resolved.at - ended : null, firing.dedupKey);
  }

  // The terminal sink (--json) printed the same notifications the webhook received (its pipe may trail by a moment).
  const printedBy = Date.now() + 5000;
  while (![firing, resolved!].every((a) => detector.printedIds().has(a.id)) && Date.now() < printedBy) await new Promise((r) => setTimeout(r, 20));
  for (const a of [firing, resolved!]) expect(detector.printedIds().has(a.id)).toBe(true);

  // At most one firing per cooldown for the group (the judging tick may shift a repeat by up to a second).
  const firings = mine().filter((a) => a.dedupKey === firing.dedupKey && a.status === 'firing');
  for (let i = 1; i < firings.length; i++) expect(firings[i].at - firings[i - 1].at).toBeGreaterThanOrEqual(rule.cooldownMs - 1000);
  return firing;
}

export interface BenignScenario<T> {
  scenario: string;
  inodes: number[];
  intensity: Record<string, number | string>;
  /** Plays the load to its end; resolves with what the load did. */
  play(): Promise<T>;
}

/**
 * Plays a benign load and checks that nothing about its namespaces fired during it and a settle
 * period after it; returns what the load did (for the test's checks of the load itself).
 * `trafficOver` is called when the load has ended, before the settle period.
 */
export async function expectSilence<T>(
  detector: ScenarioDetector,
  rules: Map<string, CompiledRule>,
  s: BenignScenario<T>,
  trafficOver: () => void = () => undefined,
): Promise<T> {
  const from = detector.alerts().length;
  const played = await s.play();
  trafficOver();
  // Every window the load touched has been judged once the longest window has passed since its end.
  const settleMs = Math.max(...[...rules.values()].map((r) => r.windowMs)) + JUDGE_DELAY_MS + 3000;
  await new Promise((r) => setTimeout(r, settleMs));
  const fired = detector
    .alerts()
    .slice(from)
    .filter((a) => about(a, s.inodes));
  reportScenario({ scenario: s.scenario, kind: 'benign', intensity: s.intensity, falseAlerts: fired.map((a) => `${a.rule.id} ${JSON.stringify(a.group)} (${a.summary}; samples: ${sampleKinds(a)})`) });
  expect(fired.map(describeAlert)).toEqual([]);
  return played;
}
