/**
 * Browser network and visibility signals, when there is a browser.
 */

/**
 * Calls `wake` when the browser regains the network or the page is shown
 * again, and `pause` when the browser goes offline. Returns the function that
 * stops listening. Does nothing outside a browser (no `document`).
 *
 * @example
 * ```ts
 * const stop = watchNetwork(() => retryNowOrCheckTheSocket(), () => pauseRetries());
 * stop();
 * ```
 */
export function watchNetwork(wake: () => void, pause: () => void): () => void {
  const w = globalThis as any;
  const d = w.document;
  const visible = () => d.visibilityState === 'visible' && wake();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    if (!d) return;
    w[method]('online', wake);
    w[method]('offline', pause);
    d[method]('visibilitychange', visible);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** Whether the browser says it is offline (never true outside a browser). */
export const isOffline = (): boolean => (globalThis as any).navigator?.onLine === false;
