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
  if (!vv) return () => undefined;
  const narrow = matchMedia(`(max-width: ${NARROW_MAX_WIDTH}px)`);
  const clear = (): void => {
    for (const p of ['top', 'height', 'bottom']) panel.style.removeProperty(p);
  };
  const apply = (): void => {
    if (!narrow.matches) return clear();
    panel.style.setProperty('top', `${Math.round(vv.offsetTop)}px`);
    panel.style.setProperty('height', `${Math.round(vv.height)}px`);
    panel.style.setProperty('bottom', 'auto');
  };
  vv.addEventListener('resize', apply);
  vv.addEventListener('scroll', apply);
  narrow.addEventListener('change', apply);
  apply();
  return () => {
    vv.removeEventListener('resize', apply);
    vv.removeEventListener('scroll', apply);
    narrow.removeEventListener('change', apply);
    clear();
  };
}
