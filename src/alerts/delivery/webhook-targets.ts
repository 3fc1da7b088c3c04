import { validateHeaderValue } from 'node:http';
import { UserError } from '../../errors/user-error';
import { loadSecret, Secret } from '../secret';
import type { Identified, SinkConfig, WebhookSinkConfig } from '../sink-config';
import { attemptDelivery } from './attempt-delivery';
import type { SendAttempt } from './send-attempt';
import type { WebhookTarget } from './webhook-target';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Loads each webhook sink's secret and headers once, at start, so a missing secret is reported before any alert. */
export function webhookTargets(sinks: Identified<SinkConfig>[], env: NodeJS.ProcessEnv = process.env): Map<string, WebhookTarget> {
  const targets = new Map<string, WebhookTarget>();
  for (const sink of sinks.filter((s): s is Identified<WebhookSinkConfig> => s.type === 'webhook')) {
    const headers: Record<string, Secret> = {};
    for (const [name, value] of Object.entries(sink.headers ?? {})) {
      headers[name] = typeof value === 'string' ? new Secret(value) : loadSecret(value, `sink ${sink.id} header ${name}`, env);
      // Checked now, so a bad value stops the start instead of failing every delivery; the message never quotes it.
      try {
        validateHeaderValue(name, headers[name].reveal());
      } catch {
        throw new UserError('ALERTS_HEADER_INVALID', `sink ${sink.id} header ${name}: the value has characters a header cannot carry (a newline?)`, 2);
      }
    }
    targets.set(sink.id, {
      id: sink.id,
      url: new Secret(sink.url),
      timeoutMs: sink.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(sink.secret ? { signingKey: loadSecret(sink.secret, `sink ${sink.id} secret`, env) } : {}),
      headers,
    });
  }
  return targets;
}

/** Sends a job to the target its sinkId names; a job for a sink no longer configured is refused, to the dead-letter list. */
export function sendToTargets(targets: Map<string, WebhookTarget>): SendAttempt {
  return async (job, signal) => {
    const target = targets.get(job.sinkId);
    return target ? attemptDelivery(target, job, Date.now, signal) : { outcome: 'reject', reason: 'unknown_sink' };
  };
}
