/**
 * The issue's proof that alerts name their victim: `tcpwarden run` as a child process watches a
 * SYN flood against a listener that lives in its own network namespace and in a docker-like
 * cgroup; the alert names the namespace, the container and the process that owns the port, in
 * every format (generic JSON, Slack, Alertmanager webhook body, the readable stdout line), and
 * the rule matches and groups on the events' container field.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import { startCli } from '../../support/cli';
import { cgroupSkipReason, containerId } from '../../support/cgroups';
import { describeUnless, kernelSkipReason } from '../../support/kernel-access';
import { createNamespacedProcesses, type NamespacedProcesses } from '../../support/namespaced-processes';
import { createNetnsPair, type NetnsPair } from '../../support/netns';
import { TRAFFIC, traffic } from '../../support/run-traffic';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver';

const PORT = 8443;

describeUnless(kernelSkipReason ?? cgroupSkipReason, 'tcpwarden run: the alert names its victim', () => {
  let pair: NetnsPair;
  let world: NamespacedProcesses;
  let receiver: WebhookReceiver;
  let dir: string;
  const id = containerId();
  let scope: string;
  let listener: ChildProcess;
  beforeAll(async () => {
    pair = createNetnsPair();
    world = createNamespacedProcesses();
    receiver = await startWebhookReceiver();
    dir = mkdtempSync(join(tmpdir(), 'tw-victim-'));
    // The server namespace's only process: a listener in a docker-like cgroup.
    scope = world.cgroups.dockerScope(id);
    listener = await world.start(pair.server, scope, process.execPath, [TRAFFIC, 'serve', pair.server.v4, String(PORT), 'sink'], /ready/);
  });
  afterAll(async () => {
    await world?.destroy();
    pair?.destroy();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a SYN flood on a containerized listener: netns name, container and port owner in every format', async () => {
    const { server: s, client: c } = pair;

    // The rule matches on the event's container field and groups by it: names are event fields.
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: container-syn-flood',
        '    name: SYN flood on a container',
        '    description: d',
        '    severity: critical',
        `    match: { all: [ { fact: kind, operator: equal, value: synack_retransmit }, { fact: container, operator: equal, value: "${id.slice(0, 12)}" } ] }`,
        '    group_by: [container, netns_name, netns, laddr, lport]',
        '    window: 10s',
        '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 20 } ] }',
        '    summary: "SYN flood on {{container}} ({{laddr}}:{{lport}}): {{count}} SYN-ACK retransmits"',
        '',
      ].join('\n'),
    );
    const config = join(dir, 'tcpwarden.yaml');
    const sink = (path: string, format: string) => `    - { type: webhook, url: "${receiver.url}${path}", format: ${format} }`;
    writeFileSync(
      config,
      [
        'rules: [rules.yaml]',
        'alerts:',
        '  sinks:',
        '    - { type: stdout }',
        sink('/json', 'json'),
        sink('/slack', 'slack'),
        sink('/am', 'alertmanager'),
        `  delivery: { stateDir: ${dir} }`,
        'logging: { level: info, format: json }',
        '',
      ].join('\n'),
    );
    const run = startCli(['run', '--config', config]);
    try {
      await run.stderrLine(/detector running/);
      // The client never answers the SYN-ACKs: the listener retransmits them (1 s, 3 s after each SYN).
      pair.exec(c, 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--tcp-flags', 'SYN,ACK', 'SYN,ACK', '-j', 'DROP']);
      try {
        await traffic(pair, c, ['halfopen', s.v4, String(PORT), '30', '3500']);
      } finally {
        pair.exec(c, 'iptables', ['-F', 'INPUT']);
      }
      const [json, slackReq, am] = await Promise.all(['/json', '/slack', '/am'].map((p) => receiver.waitForRequest((r) => r.path.endsWith(p), 30000)));

      const alert = JSON.parse(json.body) as Alert;
      const cmdline = `${process.execPath} ${TRAFFIC} serve ${s.v4} ${PORT} sink`;
      expect(alert).toMatchObject({
        rule: { id: 'container-syn-flood' },
        group: { container: id.slice(0, 12), netns_name: s.name, netns: s.inode, lport: PORT },
        victim: {
          netns: { inode: s.inode, name: s.name },
          container: { runtime: 'docker', id, name: null },
          pod: null,
          service: null,
          port: PORT,
          portState: 'listen',
          process: { pid: listener.pid, comm: 'node', cmdline, cgroup: scope },
        },
      });
      expect(alert.victim?.note).toBeUndefined();
      // The samples carry the names; their pid/comm are whatever ran the softirq, not the victim.
      expect(alert.samples[0]).toMatchObject({ netns_name: s.name, container: id.slice(0, 12) });

      const victimLine = `netns=${s.name} container=docker:${id.slice(0, 12)} port=${PORT}:listen process=${listener.pid}/node`;
      const slack = JSON.parse(slackReq.body) as { blocks: Array<{ text?: { text: string } }> };
      expect(slack.blocks[1].text?.text).toBe(`victim ${victimLine} | cmdline ${cmdline}`);

      const amBody = JSON.parse(am.body) as { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
      expect(amBody.alerts[0].labels).toMatchObject({ netns_name: s.name, container: id.slice(0, 12) });
      expect(amBody.alerts[0].annotations).toMatchObject({ victim: victimLine, victim_cmdline: cmdline });

      run.child.kill('SIGTERM');
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`[victim ${victimLine}]: SYN flood on ${id.slice(0, 12)} (${s.v4}:${PORT})`);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  }, 90000);

  test('refused connections to a closed port: the namespace and its container, port closed, no process', async () => {
    const { server: s, client: c } = pair;
    const rules = join(dir, 'refused.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: refused-here',
        '    name: refused',
        '    description: d',
        '    severity: high',
        '    match: { all: [ { fact: kind, operator: equal, value: connect_refused }, { fact: direction, operator: equal, value: inbound } ] }',
        '    group_by: [netns, raddr]',
        '    window: 10s',
        '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 20 } ] }',
        '    summary: "{{raddr}} refused {{count}} times"',
        '',
      ].join('\n'),
    );
    const seen = receiver.requests.length;
    const run = startCli(['run', '--rules', rules, '--webhook', `${receiver.url}/refused`, '--state-dir', dir, '--log-level', 'info']);
    try {
      await run.stderrLine(/detector running/);
      await traffic(pair, c, ['refuse', s.v4, '7', '30']);
      const req = await receiver.waitForRequest((r) => r.path.endsWith('/refused'), 30000, seen);
      const alert = JSON.parse(req.body) as Alert;
      expect(alert).toMatchObject({ rule: { id: 'refused-here' }, group: { netns: s.inode, raddr: c.v4 } });
      expect(alert.victim).toEqual({
        netns: { inode: s.inode, name: s.name },
        container: { runtime: 'docker', id, name: null },
        pod: null,
        service: null,
        port: 7,
        portState: 'closed',
        process: null,
      });
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  }, 60000);
});