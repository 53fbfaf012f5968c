/** Where the launcher and panel sit. */
export const Position = {
  BottomRight: 'bottom-right',
  BottomLeft: 'bottom-left',
} as const;
/** One of the {@link Position} values. */
export type Position = (typeof Position)[keyof typeof Position];

/** Colour scheme: fixed, or following `prefers-color-scheme`. */
export const Theme = {
  Light: 'light',
  Dark: 'dark',
  Auto: 'auto',
} as const;
/** One of the {@link Theme} values. */
export type Theme = (typeof Theme)[keyof typeof Theme];

/** The element's tag name. */
export const TAG_NAME = 'chat-widget';

/** Room joined when the `room` attribute is absent. */
export const DEFAULT_ROOM = 'lobby';

/** Relay path used when the `relay` attribute is absent (same host as the page). */
export const DEFAULT_RELAY_PATH = '/chat';

/** Remaining characters below which the composer shows a counter. */
export const COUNTER_THRESHOLD = 200;

/** Messages asked for per history page. */
export const HISTORY_PAGE = 30;

/** How long after the last keystroke a "typing" indicator is withdrawn, ms. */
export const TYPING_IDLE_MS = 3000;

/** How long a remote "typing" lasts without a stop or a refresh, ms. */
export const TYPING_EXPIRE_MS = 8000;

/** Distance from the bottom, px, within which the list counts as "at the bottom". */
export const STICK_THRESHOLD_PX = 32;

/** Most items kept per conversation; older ones can be paged in again. */
export const MAX_ITEMS = 500;

/** Viewport width, px, at or below which the panel fills the screen. */
export const NARROW_MAX_WIDTH = 480;
