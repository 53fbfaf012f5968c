/**
 * Browser network and visibility signals, when there is a browser.
 */

/**
 * Calls `online` when the browser regains the network, `offline` when it
 * loses it, and `visible` when the page is shown again. Returns the function
 * that stops listening. Does nothing outside a browser (no `window`/`document`).
 *
 * @example
 * ```ts
 * const stop = watchNetwork(() => retryNow(), () => pause(), () => checkSocket());
 * stop();
 * ```
 */
export function watchNetwork(online: () => void, offline: () => void, visible: () => void): () => void {
  const w = globalThis as any;
  const d = w.document;
  if (!w.addEventListener || !d) return () => {};
  const onVisibility = () => d.visibilityState === 'visible' && visible();
  w.addEventListener('online', online);
  w.addEventListener('offline', offline);
  d.addEventListener('visibilitychange', onVisibility);
  return () => {
    w.removeEventListener('online', online);
    w.removeEventListener('offline', offline);
    d.removeEventListener('visibilitychange', onVisibility);
  };
}

/** Whether the browser says it is offline (never true outside a browser). */
export const isOffline = (): boolean => (globalThis as any).navigator?.onLine === false;
