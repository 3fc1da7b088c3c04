import type { Severity } from '../interfaces/alert';

/** Which alerts a sink takes. Every field is optional; an absent field lets everything through. */
export interface AlertFilterConfig {
  /** Lowest severity delivered (default `info`: everything). */
  minSeverity?: Severity;
  /** Only these rule ids. */
  rules?: string[];
  /** Only rules carrying at least one of these tags. */
  tags?: string[];
  /** Deliver `resolved` notifications too (default true). */
  resolved?: boolean;
}

/** `alertmanager-webhook` and `alertmanager` (its first name, kept working) are one format: the body Alertmanager sends its webhook receivers. */
export type WebhookFormat = 'json' | 'slack' | 'alertmanager-webhook' | 'alertmanager' | 'template';

/** Where the signing secret comes from; the value itself never sits in a config file. */
export interface SecretSource {
  /** Name of an environment variable holding the secret. */
  env?: string;
  /** Path of a file holding the secret (trailing newline ignored). */
  file?: string;
}

/** A header value given literally, or read like a secret (for `Authorization` tokens). */
export type HeaderValue = string | SecretSource;

export interface WebhookSinkConfig extends AlertFilterConfig {
  type: 'webhook';
  /** Stable name: dead-letter entries and the idempotency record refer to the sink by it. Default: `webhook-` + a hash of the URL. */
  id?: string;
  url: string;
  format?: WebhookFormat;
  /** For `format: template`: the body, with `{{field.path}}` placeholders over the alert. */
  template?: string;
  /** Content type of a template body (default `application/json`; JSON bodies get JSON-escaped values). */
  contentType?: string;
  /** Standard Webhooks signing secret (`whsec_<base64>` or any string, used as its UTF-8 bytes). */
  secret?: SecretSource;
  headers?: Record<string, HeaderValue>;
  /** Per-request timeout (default 10000). */
  timeoutMs?: number;
}

export interface StdoutSinkConfig extends AlertFilterConfig {
  type: 'stdout';
  id?: string;
  /** One JSON object per line instead of one readable line per alert. */
  json?: boolean;
}

/** Alertmanager's basic auth: the user name in the config, the password from a secret source. */
export interface BasicAuthConfig {
  username: string;
  password: SecretSource;
}

/**
 * Alerts pushed into Prometheus Alertmanager through its API (`POST /api/v2/alerts`), so its
 * routing, grouping, silences and inhibition apply; see docs/alerts.md.
 */
export interface AlertmanagerSinkConfig extends AlertFilterConfig {
  type: 'alertmanager';
  /** Stable name; default `alertmanager-` + a hash of the URLs. Each URL's deliveries go by `<id>#<index>`. */
  id?: string;
  /** One Alertmanager (`url`) or every member of an HA cluster (`urls`): each gets every alert, retried on its own. */
  url?: string;
  urls?: string[];
  /** The link back (`generatorURL` and the `link` annotation), with `{{field.path}}` placeholders, URL-encoded. */
  generatorUrl?: string;
  /** How often a firing alert is sent again (default 60000); Alertmanager is told it ends 3 re-sends later. */
  resendIntervalMs?: number;
  /** Firing alerts remembered for re-sending (default 10000); beyond it an alert goes out once and expires in Alertmanager. */
  maxFiring?: number;
  /** Stop re-sending an alert the engine has not repeated for this long (default 3600000): keep it above the rules' cooldowns. */
  forgetAfterMs?: number;
  basicAuth?: BasicAuthConfig;
  bearerToken?: SecretSource;
  /** Standard Webhooks signing, as for a webhook sink (for a proxy in front of Alertmanager that checks it). */
  secret?: SecretSource;
  headers?: Record<string, HeaderValue>;
  timeoutMs?: number;
}

export type SinkConfig = WebhookSinkConfig | AlertmanagerSinkConfig | StdoutSinkConfig;

export interface DeliveryConfig {
  /** BullMQ on this Redis when set; the in-memory queue otherwise. */
  redisUrl?: string;
  /** Where the in-memory mode keeps its dead-letter file (`dead-letter.jsonl`). */
  stateDir?: string;
  /** Attempts per delivery, the first included (default 17: at least 21.75 minutes of retries). */
  maxAttempts?: number;
  /** Ceiling of the first retry delay; doubles per retry; each delay is half fixed, half random (default 1000). */
  backoffMs?: number;
  /** Ceiling of one retry delay, also of a honoured Retry-After (default 300000). */
  maxBackoffMs?: number;
  /** In-memory mode: deliveries waiting or retrying at once; beyond it new ones go straight to the dead-letter list (default 10000). */
  maxPending?: number;
  /** Requests in flight at once per process (default 16). */
  concurrency?: number;
  /** How long a delivered alert id is remembered so it is never sent twice to a sink (default 7 days). */
  dedupTtlMs?: number;
}

export interface BurstConfig {
  /** The interval over which distinct groups of one rule are counted (default 10000). */
  intervalMs?: number;
  /** Groups per rule and interval delivered one by one; the rest are summarized (default 10). */
  maxGroups?: number;
  /** Groups named in a summary (default 5). */
  topGroups?: number;
}

/** The `alerts:` section of the `tcpwarden run` config file. */
export interface AlertsConfig {
  sinks: SinkConfig[];
  delivery?: DeliveryConfig;
  burst?: BurstConfig;
}

/** A sink after validation: its id filled in. */
export type Identified<T extends SinkConfig> = T & { id: string };

/** What validateAlertsConfig returns: every sink has its id. */
export interface ValidAlertsConfig extends AlertsConfig {
  sinks: Identified<SinkConfig>[];
}
