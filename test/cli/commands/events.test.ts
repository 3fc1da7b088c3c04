import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../../src/interfaces/alert';
import type { TcpEvent } from '../../../src/interfaces/tcp-event';
import { readJsonlEvents } from '../../../src/replay/read-jsonl-events';
import { runCliProcess, startCli } from '../../support/cli';
import { loadedPrograms, programsBackTo, TCPWARDEN_PROGRAMS } from '../../support/bpf-programs';
import { describeKernel } from '../../support/kernel-access';
import { createNetnsPair, type NetnsPair } from '../../support/netns';
import { traffic } from '../../support/run-traffic';
import { roomInWindow } from '../../support/window-boundary';

describe('tcpwarden events: mistakes', () => {
  test('an unknown kind is one line naming the kinds, exit 2', async () => {
    const r = await runCliProcess(['events', '--kind', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tcpwarden events: --kind 'bogus' is not an event kind; use one of synack_retransmit, retransmit,/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a bad port, exit 2', async () => {
    const r = await runCliProcess(['events', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port '70000' is not a whole number from 0 to 65535/);
  });

  test('an unknown option shows the usage, exit 2', async () => {
    const r = await runCliProcess(['events', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--colour'/);
    expect(r.stderr).toMatch(/usage: tcpwarden events/);
  });

  // Root's privilege is its capabilities: with every one of them dropped (and the securebits that
  // would give them back on exec locked) this process is as unprivileged as any user, yet it can
  // still read a clone that only root can read (e.g. under /root, mode 0700).
  const withoutPrivilege = ['setpriv', '--securebits=+noroot,+noroot_locked', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all'];
  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot('without root privilege: one line saying to use sudo, exit 1, no stack trace', async () => {
    const r = await runCliProcess(['events', '--duration', '1'], { wrap: withoutPrivilege });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('tcpwarden events: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON): run it with sudo');
  });
});

describeKernel('tcpwarden events: live', () => {
  let pair: NetnsPair;
  let dir: string;
  beforeAll(() => {
    pair = createNetnsPair();
    dir = mkdtempSync(join(tmpdir(), 'tw-events-'));
  });
  afterAll(() => {
    pair?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--json --kind --port --record: JSON lines on stdout, the same events in the record file', async () => {
    const file = join(dir, 'events.jsonl');
    const args = ['events', '--json', '--netns', String(pair.server.inode), '--kind', 'rst_sent,connect_refused', '--port', '7', '--record', file];
    const run = startCli(args);
    await run.stderrLine(/watching \d+ tracepoints/);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '3']);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '9', '2']);
    // Stopped once the traffic is done (not after a fixed time): Ctrl-C delivers what the ring holds.
    run.child.kill('SIGINT');
    const r = await run.done;

    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as TcpEvent);
    expect(lines.map((e) => e.kind).sort()).toEqual(['connect_refused', 'connect_refused', 'connect_refused', 'rst_sent', 'rst_sent', 'rst_sent']);
    for (const e of lines) expect(e).toMatchObject({ laddr: pair.server.v4, lport: 7, raddr: pair.client.v4, netns: pair.server.inode });
    const recorded = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TcpEvent);
    expect(recorded).toEqual(lines);
    expect(r.stderr).toMatch(/records delivered, 0 lost/);
  });

  test('a recording replays exactly: the same events read back, and the rules judge it as they would live', async () => {
    const file = join(dir, 'refused.jsonl');
    await roomInWindow(2500); // the CLI attaches, then the burst
    const run = startCli(['events', '--json', '--netns', String(pair.server.inode), '--record', file]);
    await run.stderrLine(/watching \d+ tracepoints/);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '120']);
    run.child.kill('SIGINT');
    const live = (await run.done).stdout.trim().split('\n').map((l) => JSON.parse(l) as TcpEvent);

    const replayed: TcpEvent[] = [];
    for await (const batch of readJsonlEvents(file)) replayed.push(...batch);
    expect(replayed).toEqual(live);
    expect(replayed.filter((e) => e.kind === 'connect_refused')).toHaveLength(120);

    const r = await runCliProcess(['replay', file, '--rules', join(__dirname, '..', '..', '..', 'rules'), '--json']);
    expect(r.code).toBe(0);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Alert);
    const firing = alerts.filter((a) => a.status === 'firing');
    expect(firing.map((a) => a.rule.id)).toEqual(['refused-connections']);
    expect(firing[0].group).toMatchObject({ raddr: pair.client.v4, netns: pair.server.inode });
    // Fired at the first slice boundary where the sliding window holds 100 or more of the 120.
    expect(firing[0].aggregates.count).toBeGreaterThanOrEqual(100);
    expect(firing[0].aggregates.count).toBeLessThanOrEqual(120);
  });

  test('the default view: a header and aligned columns', async () => {
    // --duration ends it by itself; long enough for one connect from a node started in the namespace.
    const run = startCli(['events', '--netns', String(pair.client.inode), '--duration', '6']);
    await run.stderrLine(/watching \d+ tracepoints/);
    await traffic(pair, pair.client, ['refuse', pair.server.v4, '7', '1']);
    const r = await run.done;
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^TIME\s+KIND\s+LADDR\s+LPORT\s+RADDR\s+RPORT\s+STATE\s+DETAIL\s+NETNS\s+CONTAINER\s+CPU-PID\s+CPU-COMM$/);
    const refused = rows.find((l) => l.includes('connect_refused'));
    expect(refused).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} connect_refused +${pair.client.v4.replace(/\./g, '\\.')} +\\d+ +${pair.server.v4.replace(/\./g, '\\.')} +7 +- +outbound`));
    expect(header.indexOf('KIND')).toBe(refused!.indexOf('connect_refused'));
  });
});

describeKernel('tcpwarden events: detaching', () => {
  test.each([['SIGTERM'], ['SIGINT'], ['SIGKILL']] as const)('after %s no tcpwarden program stays in the kernel', async (signal) => {
    const before = loadedPrograms();
    const run = startCli(['events', '--json']);
    await run.stderrLine(/watching \d+ tracepoints/);
    expect(loadedPrograms()).toBe(before + TCPWARDEN_PROGRAMS.size);
    run.child.kill(signal);
    const r = await run.done;
    if (signal !== 'SIGKILL') {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/records delivered, 0 lost/);
    }
    // The kernel frees programs once their last file descriptor closes, which may lag the exit.
    expect(await programsBackTo(before)).toBe(before);
  });
});
