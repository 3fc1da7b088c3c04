import type { UserErrorCode } from './user-error-code';

/**
 * An error caused by the user's input or environment (a bad rule file, a missing privilege),
 * as opposed to a bug. The CLI prints its message as one line, without a stack trace, and
 * exits with `exitCode`. `code` is stable so callers can branch on it and users can search it:
 * one of the UserErrorCode union (user-error-code.ts). The problems found in a rule or config
 * file are diagnostics instead, with codes of their own (`schema.type`, see
 * src/rules/diagnostic-code.ts) and a file position each.
 */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}
