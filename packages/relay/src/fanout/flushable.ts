/**
 * What the flush scheduler flushes: a socket's writer, a room batch.
 */

/** Something with queued bytes to flush. */
export interface Flushable {
  flush(): void;
}
