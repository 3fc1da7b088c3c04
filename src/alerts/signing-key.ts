const PREFIX = 'whsec_';
// Standard base64, padding optional: Buffer.from(…, 'base64') skips anything else silently.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What a valid signing secret looks like, for the messages that refuse one. */
export const SECRET_FORM = "'whsec_' + the base64 of 24 to 64 random bytes (e.g. whsec_$(openssl rand -base64 32)), or a non-empty passphrase";

/**
 * What is wrong with a signing secret, or undefined when it makes a key: a `whsec_` secret whose
 * rest is not base64 (`whsec_!!!!`) or is empty (`whsec_`) would otherwise sign with an empty key,
 * which anyone can reproduce.
 */
export function signingSecretProblem(secret: string): string | undefined {
  if (secret === '') return 'the secret is empty';
  if (!secret.startsWith(PREFIX)) return undefined;
  const rest = secret.slice(PREFIX.length);
  if (!BASE64.test(rest)) return `what follows 'whsec_' is not base64`;
  if (Buffer.from(rest, 'base64').length === 0) return `what follows 'whsec_' decodes to an empty key`;
  return undefined;
}

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is base64-decoded after the prefix
 * (the spec's form); any other string is used as its UTF-8 bytes, so a plain passphrase works too.
 * Check the secret with signingSecretProblem first: this never refuses one.
 */
export function signingKey(secret: string): Buffer {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}
