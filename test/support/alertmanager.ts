/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for one test file, on a free
 * loopback port, with its own config and storage in a temporary directory and no cluster gossip.
 * Its route sends every alert to one webhook receiver with short group_wait and group_interval, so
 * notifications come within a second. A failed start kills the process and says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerOptions {
  /** Where the route's receiver posts notifications (a test/support/webhook-receiver.ts URL). */
  receiverUrl: string;
  /** The route's group_by (default [alertname]: one notification lists every alert of a rule). */
  groupBy?: string[];
}

/** An alert as GET /api/v2/alerts returns it (the fields tests read). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
  receivers: { name: string }[];
}

export interface TestAlertmanager {
  /** `http://127.0.0.1:PORT`, the base URL a sink is configured with. */
  url: string;
  port: number;
  /** GET /api/v2/alerts: the alerts not yet ended, silenced ones included. */
  alerts(): Promise<GettableAlert[]>;
  /** POST /api/v2/silences for an hour from now with these equality matchers; resolves with the silence id. */
  silence(matchers: Record<string, string>): Promise<string>;
  /** Polls alerts() until `check` accepts them; rejects after `timeoutMs` naming what it last saw. */
  waitForAlerts(check: (alerts: GettableAlert[]) => boolean, timeoutMs?: number): Promise<GettableAlert[]>;
  stop(): Promise<void>;
}

function config(o: AlertmanagerOptions): string {
  return [
    'route:',
    '  receiver: hook',
    `  group_by: [${(o.groupBy ?? ['alertname']).join(', ')}]`,
    '  group_wait: 200ms',
    '  group_interval: 500ms',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: hook',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(o.receiverUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

async function waitReady(url: string, child: ChildProcess, output: () => string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus-alertmanager exited with ${child.exitCode}: ${output()}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    if (Date.now() > until) throw new Error(`prometheus-alertmanager was not ready within ${deadlineMs} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<TestAlertmanager> {
  if (!existsSync(ALERTMANAGER_BIN))
    throw new Error(`${ALERTMANAGER_BIN} is missing: install the Debian package prometheus-alertmanager (scripts/install-deps.sh does)`);
  const dir = mkdtempSync(join(tmpdir(), 'tcpwarden-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config(options));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null)
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr.trim(), 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const am: TestAlertmanager = {
    url,
    port,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
      return (await res.json()) as GettableAlert[];
    },
    async silence(matchers) {
      const now = Date.now();
      const res = await fetch(`${url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
          startsAt: new Date(now - 1000).toISOString(),
          endsAt: new Date(now + 3600_000).toISOString(),
          createdBy: 'tcpwarden tests',
          comment: 'test silence',
        }),
      });
      if (!res.ok) throw new Error(`POST /api/v2/silences answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { silenceID: string }).silenceID;
    },
    async waitForAlerts(check, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const alerts = await am.alerts();
        if (check(alerts)) return alerts;
        if (Date.now() > until) throw new Error(`Alertmanager's alerts did not match within ${timeoutMs} ms: ${JSON.stringify(alerts)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
  return am;
}
