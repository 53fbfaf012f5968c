/**
 * Errors of the sessions layer that handlers and connections tell apart
 * from a plain failure.
 */

/**
 * The session was taken back on another relay (its resume secret was used
 * there): this relay no longer owns it.
 */
export class SessionMovedError extends Error {
  override readonly name = 'SessionMovedError';
  constructor(readonly session: string) {
    super(`session ${session} moved to another relay`);
  }
}
