/**
 * The frame every scenario file shares, so a file holds only its attacks: one `tcpwarden run`
 * with the shipped rules and a local webhook receiver for the whole file (scenario-detector.ts),
 * fresh namespaces for each scenario, and a teardown that runs even when a test fails: the test's
 * children, firewall rules and extra namespaces after it, the pairs they lived in when the file
 * ends. Pairs outlive their test because the kernel reuses a deleted namespace's inode: the next
 * test's pair would take it, and an alert still due for the old group (a resolution, a firing
 * after a cooldown) would count as about the new test's namespaces.
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

export interface ScenarioSuite {
  /** The file's detector, started before its first test. */
  readonly detector: ScenarioDetector;
  /** The shipped rules by id. */
  readonly rules: Map<string, CompiledRule>;
  /** What the running test starts (children, firewall rules, container namespaces): undone after it. */
  readonly teardown: Teardown;
  /** A fresh server/client pair (its own /24), deleted when the file ends. */
  pair(): NetnsPair;
  /** Starts a traffic.js server on `host` and resolves once it listens; killed at teardown. */
  server(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<ChildProcess>;
  /** Runs an attack-traffic.js load on `host` to its end; killed at teardown if the test ends first. */
  attack(pair: NetnsPair, host: NetnsHost, args: string[]): Promise<AttackResult>;
  /** expectDetection against the file's detector and rules. */
  expectDetection(s: AttackScenario): Promise<ReceivedAlert>;
  /** expectSilence against the file's detector and rules. */
  expectSilence<T>(s: BenignScenario<T>): Promise<T>;
}

export interface ScenarioSuiteOptions {
  /** Start the attacks only once the rules have seen a whole window (rules with a baseline need a past). */
  warmUp?: boolean;
  /** How the suite is declared: describeKernel unless it is opt-in (the sensitivity ladder). */
  describe?: jest.Describe;
}

/** How long starting the detector may take: with the warm-up, the longest window and a judgement. */
const START_TIMEOUT_MS = 60_000;

/** Declares a scenario file's suite; `body` declares its tests against the suite's detector. */
export function describeScenarios(title: string, options: ScenarioSuiteOptions, body: (suite: ScenarioSuite) => void): void {
  (options.describe ?? describeKernel)(title, () => {
    let detector: ScenarioDetector | undefined;
    let rules: Map<string, CompiledRule> | undefined;
    const teardown = new Teardown();
    /** The file's pairs, deleted after the last test's `teardown`: no child outlives its namespace. */
    const namespaces = new Teardown();
    const started = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('the scenario detector is not running (its start failed: see beforeAll)');
      return value;
    };

    beforeAll(async () => {
      rules = await shippedRules();
      detector = await startScenarioDetector({ warmUp: options.warmUp });
    }, START_TIMEOUT_MS);
    afterEach(() => teardown.run());
    afterAll(async () => {
      try {
        await namespaces.run();
      } finally {
        await detector?.stop();
      }
    });

    body({
      get detector() {
        return started(detector);
      },
      get rules() {
        return started(rules);
      },
      teardown,
      pair: () => scenarioPair(namespaces),
      server: async (pair, host, args) => teardown.child(await server(pair, host, args)),
      attack: (pair, host, args) => attackTraffic(inHost(pair, host), args, (ch) => teardown.child(ch)),
      expectDetection: (s) => expectDetection(started(detector), started(rules), s),
      expectSilence: (s) => expectSilence(started(detector), started(rules), s),
    });
  });
}
