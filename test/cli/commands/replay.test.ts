import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../../support/cli';
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
    // The firing alert shows the flood's events, though the batch it was judged in runs past it.
    expect(alerts[0].samples.length).toBeGreaterThan(0);
    for (const e of alerts[0].samples) expect(e).toMatchObject({ kind: 'synack_retransmit', lport: 443 });
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

  describe('bad lines', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tw-replay-bad-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const withBadLines = (name: string, bad: string[]) => {
      const good = readFileSync(EVENTS, 'utf8').trim().split('\n');
      const path = join(dir, name);
      // The bad lines go in among the good ones, which still give the same two alerts.
      writeFileSync(path, [good[0], ...bad, ...good.slice(1)].join('\n') + '\n');
      return path;
    };

    it('skips bad lines by default, counting them and quoting the first few with file:line', async () => {
      const bad = [
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), ts: 1e300 }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), ts: 8.64e15 }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), lport: 70000 }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), family: 5 }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), raddr: { a: 1 } }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), raddr: null }),
        JSON.stringify({ ...JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]), raddr: 'not-an-ip' }),
      ];
      const file = withBadLines('skip.jsonl', bad);
      const { code, stdout, stderr } = await runCli(['replay', file, '--rules', RULES]);
      expect(code).toBe(0);
      expect(stdout).not.toMatch(/object Object|not-an-ip/);
      expect(stdout.trim().split('\n')).toHaveLength(2);
      expect(stderr.split('\n')).toEqual([
        '7 bad lines skipped (not events):',
        expect.stringMatching(new RegExp(`^  ${file}:2: 'ts' must be epoch milliseconds between 2000-01-01 and 2200-01-01 .*, got 1e\\+300$`)),
        expect.stringMatching(new RegExp(`^  ${file}:3: 'ts' must be epoch milliseconds .*, got 8640000000000000$`)),
        `  ${file}:4: 'lport' must be a port number 0..65535, got 70000`,
        `  ${file}:5: 'family' must be 4 or 6, got 5`,
        `  ${file}:6: 'raddr' must be an IP address string, got an object`,
        '  ... and 2 more',
        '2 alerts',
        '',
      ]);
    });

    it('stops at the first bad line with --on-bad-event stop, exit 2', async () => {
      const file = withBadLines('stop.jsonl', ['{"kind":"rst_sent"', '[]']);
      expect(await runCli(['replay', file, '--rules', RULES, '--on-bad-event', 'stop'])).toEqual({
        code: 2,
        stdout: '',
        stderr: expect.stringMatching(new RegExp(`^tcpwarden replay: ${file}:2: not JSON \\(.+\\); expected one event object per line \\(stopped at the first bad line: --on-bad-event stop\\)\n$`)),
      });
    });

    it('does not carry unknown fields into alert samples, and refuses an over-long line', async () => {
      const first = JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]) as Record<string, unknown>;
      const file = withBadLines('extra.jsonl', [JSON.stringify({ ...first, note: 'n'.repeat(1000) }), JSON.stringify({ ...first, blob: 'b'.repeat(100_000) })]);
      const { code, stdout, stderr } = await runCli(['replay', file, '--rules', RULES, '--json']);
      expect(code).toBe(0);
      expect(stdout).not.toMatch(/note|blob/);
      expect(stderr).toMatch(new RegExp(`^1 bad line skipped \\(not events\\):\n  ${file}:3: line is 100\\d{3} bytes, over the 65536-byte limit for one event\n$`));
    });

    it('refuses an unknown --on-bad-event value', async () => {
      expect(await runCli(['replay', EVENTS, '--rules', RULES, '--on-bad-event', 'maybe'])).toMatchObject({ code: 2, stderr: "tcpwarden replay: --on-bad-event is 'skip' or 'stop', not 'maybe'\n" });
    });
  });

  it('on SIGTERM waits for deliveries being retried up to the deadline, then dead-letters them and says so', async () => {
    const receiver = await startWebhookReceiver();
    receiver.script(...Array.from({ length: 1000 }, () => 503));
    const state = mkdtempSync(join(tmpdir(), 'tw-replay-term-'));
    const cli = startCli(['replay', EVENTS, '--rules', RULES, '--webhook', receiver.url, '--state-dir', state]);
    try {
      // Both alerts have been tried once and are waiting for their retries.
      await receiver.waitForRequests(2, 30_000);
      cli.child.kill('SIGTERM');
      const { code, stderr } = await cli.done;
      expect(code).toBe(1);
      const deadLetters = join(state, 'dead-letter.jsonl');
      expect(stderr).toContain(`SIGTERM: replay stopped; 2 alert deliveries still pending after 10 s dead-lettered to ${deadLetters} (send with 'tcpwarden alerts retry')\n`);
      const entries = readFileSync(deadLetters, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; job: { status: string } });
      expect(entries.map((e) => [e.reason, e.job.status]).sort()).toEqual([
        ['shutdown', 'firing'],
        ['shutdown', 'resolved'],
      ]);
    } finally {
      cli.child.kill('SIGKILL');
      await cli.done;
      await receiver.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('refuses a TCPWARDEN_WEBHOOK_SECRET that makes no key, in one line, before reading events', async () => {
    process.env.TCPWARDEN_WEBHOOK_SECRET = 'whsec_!!!!';
    try {
      const { code, stdout, stderr } = await runCli(['replay', EVENTS, '--rules', RULES, '--webhook', 'http://127.0.0.1:9/', '--state-dir', tmpdir()]);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(/^tcpwarden replay: sink \S+ secret \(environment variable TCPWARDEN_WEBHOOK_SECRET\): what follows 'whsec_' is not base64; a valid secret is .+\n$/);
    } finally {
      delete process.env.TCPWARDEN_WEBHOOK_SECRET;
    }
  });

  it('refuses invalid rules with their errors and exit 2', async () => {
    const { code, stderr } = await runCli(['replay', EVENTS, '--rules', join(__dirname, '../../rules/broken/bad-severity.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-severity\.yaml:5:15: error schema\.value \[broken\]/);
  });
});
