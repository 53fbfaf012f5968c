/**
 * Browser network and visibility signals, when there is a browser.
 */

/**
 * Calls `online` when the browser regains the network, `offline` when it
 * loses it, and `visible` when the page is shown again. Returns the function
 * that stops listening. Does nothing outside a browser (no `document`).
 *
 * @example
 * ```ts
 * const stop = watchNetwork(() => retryNow(), () => pauseRetries(), () => checkTheSocket());
 * stop();
 * ```
 */
export function watchNetwork(online: () => void, offline: () => void, visible: () => void): () => void {
  const w = globalThis as any;
  const d = w.document;
  const shown = () => d.visibilityState === 'visible' && visible();
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    if (!d) return;
    w[method]('online', online);
    w[method]('offline', offline);
    d[method]('visibilitychange', shown);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** Whether the browser says it is offline (never true outside a browser). */
export const isOffline = (): boolean => (globalThis as any).navigator?.onLine === false;
