/** The widget's icons: static SVG, hidden from assistive technology (every control has a text label). */
import { svg } from 'lit';

const icon = (d: string) =>
  svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d=${d} /></svg>`;

export const chatIcon = icon('M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z');
export const closeIcon = icon('M6 6l12 12M18 6L6 18');
