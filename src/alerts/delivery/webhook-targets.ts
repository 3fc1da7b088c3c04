import { validateHeaderValue } from 'node:http';
import { UserError } from '../../errors/user-error';
import { loadSecret, Secret } from '../secret';
import { SECRET_FORM, signingSecretProblem } from '../signing-key';
import type { AlertmanagerSinkConfig, HeaderValue, Identified, SecretSource, SinkConfig, WebhookSinkConfig } from '../sink-config';
import { alertmanagerTargetId } from '../sink-id';
import { alertmanagerApiUrl } from './alertmanager-api-url';
import { attemptDelivery } from './attempt-delivery';
import type { SendAttempt } from './send-attempt';
import type { WebhookTarget } from './webhook-target';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** A sink's headers with secrets loaded, each checked now, so a bad value stops the start instead of failing every delivery. */
function loadHeaders(sinkId: string, given: Record<string, HeaderValue>, env: NodeJS.ProcessEnv): Record<string, Secret> {
  const headers: Record<string, Secret> = {};
  for (const [name, value] of Object.entries(given)) {
    headers[name] = typeof value === 'string' ? new Secret(value) : loadSecret(value, `sink ${sinkId} header ${name}`, env);
    // The message never quotes the value.
    try {
      validateHeaderValue(name, headers[name].reveal());
    } catch {
      throw new UserError('ALERTS_HEADER_INVALID', `sink ${sinkId} header ${name}: the value has characters a header cannot carry (a newline?)`, 2);
    }
  }
  return headers;
}

/** Alertmanager's credentials as the Authorization header (basic auth or a bearer token), beside the sink's own headers. */
function alertmanagerHeaders(sink: Identified<AlertmanagerSinkConfig>): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = { ...sink.headers };
  if (sink.bearerToken) headers.Authorization = sink.bearerToken;
  return headers;
}

function basicAuth(sinkId: string, username: string, password: SecretSource, env: NodeJS.ProcessEnv): Secret {
  const pass = loadSecret(password, `sink ${sinkId} basicAuth.password`, env).reveal();
  return new Secret('Basic ' + Buffer.from(`${username}:${pass}`, 'utf8').toString('base64'));
}

/** A sink's Standard Webhooks signing secret, loaded and checked to make a key (nothing without `secret`). */
function signingKey(sink: Identified<WebhookSinkConfig | AlertmanagerSinkConfig>, env: NodeJS.ProcessEnv): { signingKey?: Secret } {
  if (!sink.secret) return {};
  const key = loadSecret(sink.secret, `sink ${sink.id} secret`, env);
  const bad = signingSecretProblem(key.reveal());
  if (bad) {
    const from = sink.secret.env !== undefined ? `environment variable ${sink.secret.env}` : sink.secret.file;
    throw new UserError('ALERTS_SECRET_INVALID', `sink ${sink.id} secret (${from}): ${bad}; a valid secret is ${SECRET_FORM}`, 2);
  }
  return { signingKey: key };
}

/**
 * Loads each HTTP sink's secrets and headers once, at start, so a missing secret is reported
 * before any alert: one target per webhook sink, one per URL of an alertmanager sink (an HA
 * pair's members are delivered to, and retried, one by one).
 */
export function webhookTargets(sinks: Identified<SinkConfig>[], env: NodeJS.ProcessEnv = process.env): Map<string, WebhookTarget> {
  const targets = new Map<string, WebhookTarget>();
  for (const sink of sinks.filter((s): s is Identified<WebhookSinkConfig> => s.type === 'webhook')) {
    targets.set(sink.id, {
      id: sink.id,
      url: new Secret(sink.url),
      timeoutMs: sink.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...signingKey(sink, env),
      headers: loadHeaders(sink.id, sink.headers ?? {}, env),
    });
  }
  for (const sink of sinks.filter((s): s is Identified<AlertmanagerSinkConfig> => s.type === 'alertmanager')) {
    // A bearer token is read like a header (`Bearer ` added unless the file already has it).
    const headers = loadHeaders(sink.id, alertmanagerHeaders(sink), env);
    if (sink.bearerToken && headers.Authorization && !/^bearer /i.test(headers.Authorization.reveal()))
      headers.Authorization = new Secret(`Bearer ${headers.Authorization.reveal()}`);
    if (sink.basicAuth) headers.Authorization = basicAuth(sink.id, sink.basicAuth.username, sink.basicAuth.password, env);
    const signing = signingKey(sink, env);
    alertmanagerUrls(sink).forEach((url, i) => {
      const id = alertmanagerTargetId(sink.id, i);
      targets.set(id, { id, url: new Secret(alertmanagerApiUrl(url)), timeoutMs: sink.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...signing, headers });
    });
  }
  return targets;
}

/** An alertmanager sink's URLs, whether given as `url` or `urls`. */
export function alertmanagerUrls(sink: AlertmanagerSinkConfig): string[] {
  return sink.urls ?? (sink.url ? [sink.url] : []);
}

/** Sends a job to the target its sinkId names; a job for a sink no longer configured is refused, to the dead-letter list. */
export function sendToTargets(targets: Map<string, WebhookTarget>): SendAttempt {
  return async (job, signal) => {
    const target = targets.get(job.sinkId);
    return target ? attemptDelivery(target, job, Date.now, signal) : { outcome: 'reject', reason: 'unknown_sink' };
  };
}
