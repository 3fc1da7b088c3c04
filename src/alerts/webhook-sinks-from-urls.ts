import { UserError } from '../errors/user-error';
import type { Identified, WebhookSinkConfig } from './sink-config';
import { defaultWebhookSinkId } from './sink-id';

export const WEBHOOK_SECRET_ENV = 'TCPWARDEN_WEBHOOK_SECRET';

/**
 * The sinks of the CLI's repeatable `--webhook URL`: generic JSON, signed with the secret in
 * TCPWARDEN_WEBHOOK_SECRET when it is set. Ids are the URL hash, the same as a config file's
 * default, so `alerts retry --webhook URL` finds what `run --webhook URL` dead-lettered.
 */
export function webhookSinksFromUrls(urls: string[], env: NodeJS.ProcessEnv = process.env): Identified<WebhookSinkConfig>[] {
  return urls.map((url) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      throw new UserError('CLI_WEBHOOK_URL_INVALID', `--webhook needs an http:// or https:// URL, got '${url}'`, 2);
    return {
      type: 'webhook',
      id: defaultWebhookSinkId(url),
      url,
      format: 'json',
      ...(env[WEBHOOK_SECRET_ENV] ? { secret: { env: WEBHOOK_SECRET_ENV } } : {}),
    };
  });
}
