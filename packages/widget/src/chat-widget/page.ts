/** Helpers about the host page: when it has loaded, and the visual viewport on phones. */
import { NARROW_MAX_WIDTH } from './constants.js';

/** Resolves once the page's `load` event has fired, so the widget never competes with the page's own loading. */
export function whenLoaded(): Promise<void> {
  return document.readyState === 'complete'
    ? Promise.resolve()
    : new Promise((resolve) => addEventListener('load', () => resolve(), { once: true }));
}

/**
 * Keeps a full-screen panel inside the visual viewport on narrow screens, so
 * the composer stays above an on-screen keyboard. Writes `top` and `height`
 * through the CSSOM (allowed under a strict CSP, unlike style attributes).
 * Returns the function that stops following.
 */
export function followViewport(panel: HTMLElement): () => void {
  const vv = window.visualViewport;
  const narrow = matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`);
  const style = panel.style;
  const apply = (): void => {
    style.removeProperty('top');
    style.removeProperty('height');
    if (vv && narrow.matches) {
      style.setProperty('top', `${Math.round(vv.offsetTop)}px`);
      style.setProperty('height', `${Math.round(vv.height)}px`);
    }
  };
  const on = (add: boolean): void => {
    for (const [target, type] of [[vv, 'resize'], [vv, 'scroll'], [narrow, 'change']] as const) {
      target?.[add ? 'addEventListener' : 'removeEventListener'](type, apply);
    }
  };
  on(true);
  apply();
  return () => {
    on(false);
    style.removeProperty('top');
    style.removeProperty('height');
  };
}
