/**
 * The alertmanager sink against real Alertmanagers (Debian's prometheus-alertmanager 0.25, run by
 * test/support/alertmanager.ts): alerts arrive through its API with tcpwarden's labels, are routed
 * to its receiver, can be silenced there, and resolve when tcpwarden resolves them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlertDelivery } from '../../src/alerts/create-alert-delivery';
import type { AlertDelivery } from '../../src/alerts/alert-delivery';
import { FileDeadLetterStore } from '../../src/alerts/dead-letter/file-dead-letter-store';
import { validateAlertsConfig } from '../../src/alerts/validate-alerts-config';
import { createDetector } from '../../src/detector/create-detector';
import type { Detector } from '../../src/detector/detector';
import type { TcpEvent } from '../../src/interfaces/tcp-event';
import { createLogger } from '../../src/logging/create-logger';
import { buildAlert } from '../support/alert-builder';
import { startAlertmanager, type TestAlertmanager } from '../support/alertmanager';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';

const quiet = createLogger({ level: 'silent' });

/** One Alertmanager webhook notification as its receiver got it. */
interface Notification {
  status: 'firing' | 'resolved';
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string> }[];
}
const notifications = (r: WebhookReceiver): Notification[] => r.requests.map((q) => JSON.parse(q.body) as Notification);
const has = (n: Notification, status: string, label: string, value: string) => n.alerts.some((a) => a.status === status && a.labels[label] === value);
const notified = (status: string, label: string, value: string) => (q: ReceivedRequest) => has(JSON.parse(q.body) as Notification, status, label, value);

let dir: string;
let receiver: WebhookReceiver;
let am: TestAlertmanager;
let delivery: AlertDelivery | undefined;
let detector: Detector | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tcpwarden-am-'));
  receiver = await startWebhookReceiver();
  am = await startAlertmanager({ receiverUrl: receiver.url });
});

afterEach(async () => {
  await detector?.stop(2000);
  await delivery?.close();
  detector = undefined;
  delivery = undefined;
  await am?.stop();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A source whose batches the test pushes one at a time, open until closed (like a live collector). */
function pushSource(): AsyncIterable<TcpEvent[]> & { push(batch: TcpEvent[]): void; close(): void } {
  const waiting: TcpEvent[][] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  return {
    push(batch) {
      waiting.push(batch);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = waiting.shift();
        if (next) yield next;
        else if (closed) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

function refused(raddr: string, ts: number): TcpEvent {
  return { kind: 'connect_refused', direction: 'inbound', ts, family: 4, laddr: '10.0.0.1', lport: 7, raddr, rport: 40000, netns: 1, host: 'web-1' };
}

test('end to end: a detector fires, both Alertmanagers of an HA pair hold the alert with its labels, the route notifies, and tcpwarden resolves it', async () => {
  const second = await startAlertmanager({ receiverUrl: receiver.url });
  try {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: refused-burst',
        '    name: Refused connections from one peer',
        '    severity: high',
        '    match: { all: [ { fact: kind, operator: equal, value: connect_refused } ] }',
        '    group_by: [raddr, lport]',
        '    window: 10s',
        '    when: { all: [ { fact: count, operator: greaterThanInclusive, value: 5 } ] }',
        '    summary: "{{count}} refused connections from {{raddr}}"',
        '',
      ].join('\n'),
    );
    const alerts = validateAlertsConfig({
      sinks: [{ type: 'alertmanager', id: 'am', urls: [am.url, second.url], generatorUrl: 'https://tcpwarden.example/alerts?rule={{rule.id}}' }],
      delivery: { stateDir: dir },
    });
    const src = pushSource();
    // Windows are epoch-aligned: t0 starts one. Event time is well in the past, so the resolution's
    // time is too and Alertmanager ends the alert at once.
    const t0 = Math.floor((Date.now() - 300_000) / 10_000) * 10_000;
    detector = createDetector({ source: src, rules: [rules], alerts, logger: quiet, watchRules: false, engine: { tickMs: 20, latenessMs: 0 } });
    await detector.start();
    src.push(Array.from({ length: 20 }, (_, i) => refused('203.0.113.9', t0 + i * 10)));
    // Event time passes the first window's end (not the resolve time): the group fires and stays firing.
    src.push([refused('198.51.100.1', t0 + 10_500)]);

    for (const m of [am, second]) {
      const [held] = await m.waitForAlerts((as) => as.length === 1);
      expect(held.labels).toEqual({ alertname: 'refused-burst', severity: 'high', host: 'web-1', raddr: '203.0.113.9', lport: '7' });
      expect(held.annotations).toMatchObject({ summary: '20 refused connections from 203.0.113.9', description: 'Refused connections from one peer', link: 'https://tcpwarden.example/alerts?rule=refused-burst' });
      expect(held.generatorURL).toBe('https://tcpwarden.example/alerts?rule=refused-burst');
      expect(held.status.state).toBe('active');
      // Told to end a few re-sends ahead, so Alertmanager keeps it without a resolve_timeout of its own.
      expect(Date.parse(held.endsAt)).toBeGreaterThan(Date.now() + 60_000);
    }
    await receiver.waitForRequest(notified('firing', 'raddr', '203.0.113.9'), 15_000);

    // Event time moves on past the window and the resolve time: the engine resolves the group.
    src.push([refused('198.51.100.1', t0 + 60_000)]);
    await receiver.waitForRequest(notified('resolved', 'raddr', '203.0.113.9'), 15_000);
    for (const m of [am, second]) await m.waitForAlerts((as) => as.length === 0);
    src.close();
  } finally {
    await second.stop();
  }
});

test('a silence made in Alertmanager mutes a matching alert; others still notify; a resolution ends the alert', async () => {
  delivery = createAlertDelivery(validateAlertsConfig({ sinks: [{ type: 'alertmanager', id: 'am', url: am.url }], delivery: { stateDir: dir } }), { logger: quiet });
  const alert = (raddr: string) => buildAlert({ dedupKey: `syn-flood|${raddr}`, group: { raddr }, startsAt: Date.now() - 60_000 });

  const first = alert('10.0.0.1');
  await delivery.dispatch(first);
  await receiver.waitForRequest(notified('firing', 'raddr', '10.0.0.1'), 15_000);

  const silenceId = await am.silence({ alertname: 'syn-flood', raddr: '10.0.0.2' });
  await delivery.dispatch(alert('10.0.0.2'));
  const held = await am.waitForAlerts((as) => as.some((a) => a.labels.raddr === '10.0.0.2' && a.status.state === 'suppressed'));
  expect(held.find((a) => a.labels.raddr === '10.0.0.2')!.status.silencedBy).toEqual([silenceId]);

  // The group's next notification, made after the silenced alert arrived, lists the new one but not it.
  const from = receiver.requests.length;
  await delivery.dispatch(alert('10.0.0.3'));
  await receiver.waitForRequest(notified('firing', 'raddr', '10.0.0.3'), 15_000, from);
  expect(notifications(receiver).filter((n) => n.alerts.some((a) => a.labels.raddr === '10.0.0.2'))).toEqual([]);

  await delivery.dispatch({ ...first, id: `${first.id}-resolved`, status: 'resolved', endsAt: Date.now() });
  await receiver.waitForRequest(notified('resolved', 'raddr', '10.0.0.1'), 15_000);
  await am.waitForAlerts((as) => !as.some((a) => a.labels.raddr === '10.0.0.1'));
});

test("the webhook body (format: alertmanager-webhook) is not Alertmanager's API: it answers 400 and the delivery is dead-lettered", async () => {
  delivery = createAlertDelivery(
    validateAlertsConfig({ sinks: [{ type: 'webhook', id: 'wrong', url: `${am.url}/api/v2/alerts`, format: 'alertmanager-webhook' }], delivery: { stateDir: dir } }),
    { logger: quiet },
  );
  await delivery.dispatch(buildAlert());
  await delivery.drained();
  const entries = await new FileDeadLetterStore(dir).list();
  expect(entries.map((e) => [e.job.sinkId, e.reason])).toEqual([['wrong', 'http_400']]);
});
