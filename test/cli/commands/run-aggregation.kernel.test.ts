/**
 * `tcpwarden run` with in-kernel aggregation forced on (collector.aggregate: on) under a spoofed
 * SYN flood to a closed port: the shipped refused-connections rule fires per source with the
 * count of SYNs that source sent, and a user rule on a field the shipped rules never use (the
 * peer's port) counts each port exactly as full events would, because the detector keeps that
 * field in the aggregates' key. The flood is started just after a 1 s boundary and lasts 0.5 s,
 * so it falls in one slice of the rules' 10 s windows. A shipped rule fires live at the first
 * aggregate that crosses its threshold (the look into the open slice), with the count so far; the
 * exact counts are read from test rules judged at the slice boundary, which holds the whole flood
 * (a `lessThan` in `when` keeps a rule from firing inside the slice). The test rules match the
 * test's own namespace, so refused connects elsewhere on the host cannot enter their counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import { startCli } from '../../support/cli';
import { describeKernel } from '../../support/kernel-access';
import { SHIPPED_RULES } from '../../support/scenario-detector';
import { setUpSpoofedFlood, type FloodResult, type SpoofedFloodSetup } from '../../support/spoofed-flood';

const SOURCES = 5;
/** The count that a condition with `lessThan` never reaches: such a rule is judged at slice boundaries only. */
const AT_BOUNDARY = '{ fact: count, operator: lessThan, value: 1000000000 }';

const PORTS = 10; // the user rule watches the first ten peer ports the generator uses (1024..1033)

describeKernel('tcpwarden run with in-kernel aggregation: exact counts from aggregates', () => {
  let setup: SpoofedFloodSetup;
  let dir: string;
  beforeAll(() => {
    setup = setUpSpoofedFlood();
    dir = mkdtempSync(join(tmpdir(), 'tw-agg-run-'));
  });
  afterAll(() => {
    setup?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the detector with `rules`, floods once inside one 1 s slice, and returns the alerts and what was sent. */
  async function floodUnderRun(rules: string[]): Promise<{ alerts: Alert[]; sent: FloodResult }> {
    const config = join(dir, `tcpwarden-${rules.length}.yaml`);
    writeFileSync(
      config,
      [`rules: [${rules.map((r) => JSON.stringify(r)).join(', ')}]`, 'collector: { aggregate: on, snmpInterval: 0s }', 'logging: { level: info, format: json }', ''].join('\n'),
    );
    const run = startCli(['run', '--config', config, '--json']);
    try {
      await run.stderrLine(/detector running/);
      // Start 50-150 ms after a whole second: 0.5 s of flood then ends before the next one.
      while (Date.now() % 1000 < 50 || Date.now() % 1000 >= 150) await new Promise((r) => setTimeout(r, 5));
      const sent = await setup.flood(7, 0.5, SOURCES, 8000);
      // Judged 250 ms after the slice's end, on a 250 ms tick: wait for the firing lines.
      await new Promise((r) => setTimeout(r, 2500));
      run.child.kill('SIGTERM');
      const r = await run.done;
      expect(r.code).toBe(0);
      const alerts = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Alert);
      return { alerts, sent };
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  }

  /** A rule like refused-connections (per peer), judged at the boundary: its count is the whole flood's. */
  function perSourceAtBoundary(): string {
    const file = join(dir, 'per-source.yaml');
    writeFileSync(
      file,
      [
        'rules:',
        '  - id: refused-per-source-at-boundary',
        '    name: Refused connections per source, judged at the slice boundary',
        '    description: d',
        '    severity: low',
        `    match: { all: [ { fact: netns, operator: equal, value: ${setup.pair.server.inode} }, { fact: kind, operator: equal, value: connect_refused }, { fact: direction, operator: equal, value: inbound } ] }`,
        '    group_by: [netns, raddr]',
        '    window: 10s',
        `    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 }, ${AT_BOUNDARY} ] }`,
        '    summary: "{{count}} refused from {{raddr}}"',
        '',
      ].join('\n'),
    );
    return file;
  }

  /**
   * The shipped refused-connections fired once per source in the test's namespace, at or past its
   * threshold, with no more than that source sent (the shipped rules watch every namespace; other
   * tests' refused connects on the host are not this test's).
   */
  function expectShippedRuleFired(alerts: Alert[], sent: FloodResult): void {
    const refused = alerts.filter((a) => a.rule.id === 'refused-connections' && a.status === 'firing' && a.group.netns === setup.pair.server.inode);
    const expected = setup.perSource(sent);
    expect(refused.map((a) => a.group.raddr).sort()).toEqual([...expected.keys()].sort());
    for (const a of refused) {
      expect(a.aggregates.count).toBeGreaterThanOrEqual(100);
      expect(a.aggregates.count).toBeLessThanOrEqual(expected.get(String(a.group.raddr))!);
    }
  }

  test('the shipped rules: refused-connections fires per source from aggregates; the boundary judgement counts every SYN each source sent', async () => {
    const { alerts, sent } = await floodUnderRun([SHIPPED_RULES, perSourceAtBoundary()]);
    expectShippedRuleFired(alerts, sent);
    const exact = alerts.filter((a) => a.rule.id === 'refused-per-source-at-boundary' && a.status === 'firing');
    expect(new Map(exact.map((a) => [String(a.group.raddr), a.aggregates.count]))).toEqual(setup.perSource(sent));
    // The alert says how many of its window's refused connections came in aggregates: all of them.
    for (const a of exact) expect(a.aggregated).toBe(sent.sent);
    // The samples are aggregates: no rule uses the peer's port, so it is left out of the key.
    for (const a of exact) expect(a.samples.some((e) => (e.value ?? 1) > 1 && e.rport === 0)).toBe(true);
  }, 60000);

  test('a user rule grouped by the peer port counts each port as full events would: the port stays in the key', async () => {
    const rules = join(dir, 'by-port.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: refused-by-peer-port',
        '    name: Refused connections by peer port',
        '    description: d',
        '    severity: low',
        `    match: { all: [ { fact: netns, operator: equal, value: ${setup.pair.server.inode} }, { fact: kind, operator: equal, value: connect_refused }, { fact: rport, operator: lessThan, value: ${1024 + PORTS} } ] }`,
        '    group_by: [rport]',
        '    window: 10s',
        `    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 1 }, ${AT_BOUNDARY} ] }`,
        '    summary: "{{count}} refused from peer port {{rport}}"',
        '',
      ].join('\n'),
    );
    const { alerts, sent } = await floodUnderRun([SHIPPED_RULES, rules]);
    // The generator's k-th SYN comes from source k % SOURCES and port 1024 + floor(k / SOURCES).
    const expected = new Map<number, number>();
    for (let k = 0; k < Math.min(sent.sent, PORTS * SOURCES); k++) expected.set(1024 + Math.floor(k / SOURCES), (expected.get(1024 + Math.floor(k / SOURCES)) ?? 0) + 1);
    const byPort = alerts.filter((a) => a.rule.id === 'refused-by-peer-port' && a.status === 'firing');
    expect(new Map(byPort.map((a) => [Number(a.group.rport), a.aggregates.count]))).toEqual(expected);
    expect(byPort.every((a) => a.samples.every((e) => e.value !== undefined))).toBe(true);
    // The shipped rule works on the same aggregates (now one per source and port).
    expectShippedRuleFired(alerts, sent);
  }, 60000);
});
