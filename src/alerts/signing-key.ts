/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is base64-decoded after the prefix
 * (the spec's form); any other string is used as its UTF-8 bytes, so a plain passphrase works too.
 */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}
