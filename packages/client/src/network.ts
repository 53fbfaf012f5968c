/**
 * Browser network and visibility signals, when there is a browser.
 */

/**
 * Calls `back` when the browser regains the network or the page is shown
 * again (time to check the connection, or to retry at once), and `offline`
 * when the browser loses the network. Returns the function that stops
 * listening. Does nothing outside a browser (no `document`).
 *
 * @example
 * ```ts
 * const stop = watchNetwork(() => checkOrRetryNow(), () => dropAndWait());
 * stop();
 * ```
 */
export function watchNetwork(back: () => void, offline: () => void): () => void {
  const w = globalThis as any;
  const d = w.document;
  const shown = () => d.visibilityState === 'visible' && back();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    if (!d) return;
    w[method]('online', back);
    w[method]('offline', offline);
    d[method]('visibilitychange', shown);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** Whether the browser says it is offline (never true outside a browser); it is so before the `offline` event fires. */
export const isOffline = (): boolean => (globalThis as any).navigator?.onLine === false;
