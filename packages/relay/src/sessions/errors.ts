/**
 * Errors of the sessions layer that handlers and connections tell apart
 * from a plain failure.
 */

/**
 * A fresh session was refused: the relay keeps as many sessions as it may,
 * from this address (`perAddress`) or in all, and every one of them is live.
 */
export class SessionsFullError extends Error {
  override readonly name = 'SessionsFullError';
  constructor(readonly perAddress: boolean) {
    super(perAddress ? 'too many sessions from this address' : 'the relay keeps as many sessions as it may');
  }
}

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
