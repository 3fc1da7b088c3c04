import type { Secret } from '../secret';

/** A webhook sink, or one Alertmanager of an alertmanager sink, as the sender needs it: secrets loaded, kept as Secret so no log can show them. */
export interface WebhookTarget {
  id: string;
  url: Secret;
  timeoutMs: number;
  signingKey?: Secret;
  headers: Record<string, Secret>;
}
