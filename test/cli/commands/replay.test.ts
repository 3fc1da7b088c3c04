import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli';
import { startWebhookReceiver } from '../../support/webhook-receiver';

const RULES = join(__dirname, '../../../rules');
const EVENTS = join(__dirname, '../../replay/fixtures/syn-flood.jsonl');

describe('tcpwarden replay', () => {
  it('prints the alerts of recorded events on event time, resolutions included', async () => {
    const { code, stdout, stderr } = await runCli(['replay', EVENTS, '--rules', RULES]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      '2026-01-01T00:00:08.000Z FIRING critical syn-flood host=lab netns=4026531840 laddr=10.0.0.1 lport=443 count=200 rate=20 distinct.raddr=50: SYN flood on 10.0.0.1:443: 200 SYN-ACK retransmits to 50 peers in 10s\n' +
        '2026-01-01T00:00:52.000Z RESOLVED critical syn-flood host=lab netns=4026531840 laddr=10.0.0.1 lport=443 count=0 rate=0 distinct.raddr=0: SYN flood on 10.0.0.1:443: 0 SYN-ACK retransmits to 0 peers in 10s\n',
    );
    expect(stderr).toBe('2 alerts\n');
  });

  it('prints the alert objects with --json, with the same ids on every run', async () => {
    const first = await runCli(['replay', EVENTS, '--rules', RULES, '--json']);
    const second = await runCli(['replay', EVENTS, '--rules', RULES, '--json']);
    const alerts = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts.map((a) => [a.status, a.dedupKey, a.host])).toEqual([
      ['firing', 'syn-flood|4026531840|10.0.0.1|443', 'lab'],
      ['resolved', 'syn-flood|4026531840|10.0.0.1|443', 'lab'],
    ]);
    expect(second.stdout).toBe(first.stdout);
  });

  it('--webhook POSTs the alerts as run would, signed when TCPWARDEN_WEBHOOK_SECRET is set', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const state = mkdtempSync(join(tmpdir(), 'tw-replay-'));
      process.env.TCPWARDEN_WEBHOOK_SECRET = 'whsec_' + Buffer.from('replay-secret').toString('base64');
      const { code } = await runCli(['replay', EVENTS, '--rules', RULES, '--webhook', receiver.url, '--state-dir', state]);
      delete process.env.TCPWARDEN_WEBHOOK_SECRET;
      expect(code).toBe(0);
      expect(receiver.requests.map((r) => (JSON.parse(r.body) as { status: string }).status)).toEqual(['firing', 'resolved']);
      for (const r of receiver.requests) expect(r.headers['webhook-signature']).toMatch(/^v1,/);
      rmSync(state, { recursive: true, force: true });
    } finally {
      await receiver.stop();
    }
  });

  it('stops at a bad line with file:line and what was expected', async () => {
    const bad = join(tmpdir(), `tcpwarden-replay-${process.pid}.jsonl`);
    writeFileSync(bad, '{"kind":"rst_sent","ts":1}\n{"kind":"rst_sent","ts":"soon"}\n');
    expect(await runCli(['replay', bad, '--rules', RULES])).toEqual({
      code: 2,
      stdout: '',
      stderr: `tcpwarden replay: ${bad}:2: 'ts' must be epoch milliseconds (a number), got "soon"\n`,
    });
  });

  it('refuses invalid rules with their errors and exit 2', async () => {
    const { code, stderr } = await runCli(['replay', EVENTS, '--rules', join(__dirname, '../../rules/broken/bad-severity.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-severity\.yaml:5:15: error schema\.value \[broken\]/);
  });
});
