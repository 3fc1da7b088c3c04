import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sendToTargets, webhookTargets } from '../../../src/alerts/delivery/webhook-targets';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcpwarden-targets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('secrets load from env and file, default timeout 10 s, and never print', () => {
  writeFileSync(join(dir, 'token'), 'Bearer abc\n');
  const targets = webhookTargets(
    [{ type: 'webhook', id: 'w', url: 'http://127.0.0.1:1/h?k=urltoken', secret: { env: 'S' }, headers: { Authorization: { file: join(dir, 'token') } } }],
    { S: 'sekrit' },
  );
  const t = targets.get('w')!;
  expect(t.timeoutMs).toBe(10_000);
  expect(t.signingKey!.reveal()).toBe('sekrit');
  expect(t.headers.Authorization.reveal()).toBe('Bearer abc');
  const shown = [inspect(t, { depth: 5 }), JSON.stringify(t), `${t.url}`].join(' ');
  for (const secret of ['sekrit', 'Bearer abc', 'urltoken']) expect(shown).not.toContain(secret);
});

test('a header value a request cannot carry stops the start, without quoting it', () => {
  writeFileSync(join(dir, 'token'), 'Bearer abc\nX-Injected: yes\n');
  const build = () => webhookTargets([{ type: 'webhook', id: 'w', url: 'http://127.0.0.1:1/', headers: { Authorization: { file: join(dir, 'token') } } }]);
  expect(build).toThrow(expect.objectContaining({ code: 'ALERTS_HEADER_INVALID' }));
  expect(build).toThrow(/^sink w header Authorization: the value has characters a header cannot carry/);
});

test('a job for a sink no longer configured is refused, not retried', async () => {
  const send = sendToTargets(new Map());
  const job = { sinkId: 'gone', alertId: 'a', dedupKey: 'k', ruleId: 'r', status: 'firing' as const, body: '{}', contentType: 'application/json', queuedAt: 0 };
  expect(await send(job)).toEqual({ outcome: 'reject', reason: 'unknown_sink' });
});

test.each(['whsec_!!!!', 'whsec_', 'whsec_A'])('a signing secret %j that makes no key stops the start, saying what a valid one looks like', (secret) => {
  const build = () => webhookTargets([{ type: 'webhook', id: 'w', url: 'http://127.0.0.1:1/', secret: { env: 'S' } }], { S: secret });
  expect(build).toThrow(expect.objectContaining({ code: 'ALERTS_SECRET_INVALID', exitCode: 2 }));
  expect(build).toThrow(/^sink w secret \(environment variable S\): what follows 'whsec_' (is not base64|decodes to an empty key); a valid secret is 'whsec_' \+ the base64 of 24 to 64 random bytes/);
});
