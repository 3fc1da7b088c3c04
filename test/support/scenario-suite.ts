/**
 * The frame every scenario file shares, so a file holds only its attacks: one `tcpwarden run`
 * with the shipped rules and a local webhook receiver for the whole file (scenario-detector.ts),
 * fresh namespaces for each scenario, and a teardown that runs even when a scenario fails: its
 * children, firewall rules and extra namespaces when it ends, the pairs they lived in when the file
 * ends. Pairs outlive their scenario because the kernel reuses a deleted namespace's inode: the
 * next scenario's pair would take it, and an alert still due for the old group (a resolution, a
 * firing after a cooldown) would count as about the new scenario's namespaces.
 *
 * A file's scenarios run as concurrent tests taking turns (turns.ts): one scenario at a time sets
 * up and plays its traffic until its attack has fired (or its benign load has ended), then lets
 * the next one start while it waits for the resolution (or the settle period). Most of a
 * scenario's time is that wait (the shipped rules resolve 30 s after a window falls quiet), so the
 * waits overlap instead of adding up, while no time to detect is measured under another
 * scenario's traffic. Groups never mix: each scenario has its own namespaces and /24.
 *
 * Kept apart from scenario-detector.ts: that file is the detector and the checks made against it,
 * this one is the Jest lifecycle around them.
 */
import type { ChildProcess } from 'node:child_process';
import type { CompiledRule } from '../../src/rules/compiled-rule';
import { scenarioPair } from './attack-setup';
import { describeKernel } from './kernel-access';
import type { NetnsHost, NetnsPair } from './netns';
import { attackTraffic, inHost, server, type AttackResult } from './run-traffic';
import {
  expectDetection,
  expectSilence,
  shippedRules,
  startScenarioDetector,
  type AttackScenario,
  type BenignScenario,
  type ReceivedAlert,
  type ScenarioDetector,
} from './scenario-detector';
import { Teardown } from './teardown';
import { Turns, type Turn } from './turns';

/** One scenario, while its test runs: it holds the file's turn from its start until its traffic is over. */
export interface Scenario {
  /** What this scenario starts (children, firewall rules, container namespaces): undone when it ends. */
  readonly teardown: Teardown;
  /** A fresh server/client pair (its own /24), deleted when the file ends. */
  pair(): NetnsPair;
  /** Starts a traffic.js server on `host` and resolves once it listens; killed at teardown. */
  server(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<ChildProcess>;
  /** Runs an attack-traffic.js load on `host` to its end; killed at teardown if the scenario ends first. */
  attack(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<AttackResult>;
  /** expectDetection against the file's detector and rules; ends the turn before the wait for the resolution. */
  expectDetection(s: AttackScenario): Promise<ReceivedAlert>;
  /** expectSilence against the file's detector and rules; ends the turn before the settle period. */
  expectSilence<T>(s: BenignScenario<T>): Promise<T>;
}

export interface ScenarioSuite {
  /** The file's detector, started before its first scenario. */
  readonly detector: ScenarioDetector;
  /** The shipped rules by id. */
  readonly rules: Map<string, CompiledRule>;
  /**
   * Declares a scenario's test. `timeoutMs` is how long it may take once its turn comes: its
   * test's timeout adds those of the scenarios declared before it, whose turns it may wait for.
   */
  scenario(name: string, body: (scenario: Scenario) => Promise<void>, timeoutMs: number): void;
}

export interface ScenarioSuiteOptions {
  /** Start the attacks only once the rules have seen a whole window (rules with a baseline need a past). */
  warmUp?: boolean;
  /** How the suite is declared: describeKernel unless it is opt-in (the sensitivity ladder). */
  describe?: jest.Describe;
}

/** How long starting the detector may take: with the warm-up, the longest window and a judgement. */
const START_TIMEOUT_MS = 60_000;

/** Declares a scenario file's suite; `body` declares its scenarios against the suite's detector. */
export function describeScenarios(title: string, options: ScenarioSuiteOptions, body: (suite: ScenarioSuite) => void): void {
  (options.describe ?? describeKernel)(title, () => {
    let detector: ScenarioDetector | undefined;
    let rules: Map<string, CompiledRule> | undefined;
    /** The file's pairs, deleted after the last scenario's teardown: no child outlives its namespace. */
    const namespaces = new Teardown();
    const turns = new Turns();
    const started = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('the scenario detector is not running (its start failed: see beforeAll)');
      return value;
    };

    beforeAll(async () => {
      rules = await shippedRules();
      detector = await startScenarioDetector({ warmUp: options.warmUp });
    }, START_TIMEOUT_MS);
    afterAll(async () => {
      try {
        await namespaces.run();
      } finally {
        await detector?.stop();
      }
    });

    const scenario = (teardown: Teardown, turn: Turn): Scenario => ({
      teardown,
      pair: () => scenarioPair(namespaces),
      server: async (pair, host, args) => teardown.child(await server(pair, host, args)),
      attack: (pair, host, args) => attackTraffic(inHost(pair, host), args, (ch) => teardown.child(ch)),
      expectDetection: (s) => expectDetection(started(detector), started(rules), s, turn.end),
      expectSilence: (s) => expectSilence(started(detector), started(rules), s, turn.end),
    });
    /** Runs a scenario in its turn; its teardown runs before the turn passes on when it fails in its turn. */
    const run = async (fn: (scenario: Scenario) => Promise<void>) => {
      const turn = await turns.take();
      const teardown = new Teardown();
      try {
        await fn(scenario(teardown, turn));
      } finally {
        try {
          await teardown.run();
        } finally {
          turn.end();
        }
      }
    };

    const declared: Array<{ name: string; fn: (scenario: Scenario) => Promise<void>; timeoutMs: number }> = [];
    body({
      get detector() {
        return started(detector);
      },
      get rules() {
        return started(rules);
      },
      scenario: (name, fn, timeoutMs) => void declared.push({ name, fn, timeoutMs }),
    });
    // Jest's *Each hooks do not run for concurrent tests: each scenario runs its own teardown (run).
    let queuedMs = 0;
    for (const { name, fn, timeoutMs } of declared) {
      queuedMs += timeoutMs;
      test.concurrent(name, () => run(fn), queuedMs);
    }
  });
}
