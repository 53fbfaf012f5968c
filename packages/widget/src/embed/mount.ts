/**
 * Mounts a `<chat-widget>` from a script tag's `data-*` attributes: what the
 * script-tag bundle does with its own `<script>` element.
 *
 * `data-relay` relative or absent is resolved against the script's `src`
 * (absent: `/chat` there), since the relay that serves `widget.js` is the
 * natural one to talk to. `data-room`, `data-nickname`, `data-token`,
 * `data-title`, `data-position`, `data-theme`, `data-lang` and `data-open`
 * become the element's attributes of the same name.
 */
import { DEFAULT_ROOM, TAG_NAME } from '../chat-widget/constants.js';
import type { ChatWidget } from '../chat-widget/chat-widget.js';
import { socketUrl } from '../relay-url.js';

/** Settings of a mounted widget, as the `data-*` attributes of the script tag give them. */
export interface MountOptions {
  relay?: string;
  room?: string;
  nickname?: string;
  token?: string;
  title?: string;
  position?: string;
  theme?: string;
  lang?: string;
  /** Present (any value but `false`) to start open. */
  open?: string;
}

const PASSED = ['room', 'nickname', 'token', 'title', 'position', 'theme', 'lang'] as const;

/**
 * Appends a widget to `<body>` with the given settings, unless a widget for the
 * same relay and room is already on the page (a bundle loaded twice mounts
 * once). `base` resolves a relative relay URL. Returns the widget (the new one
 * or the one already there), or null when `<body>` does not exist yet: then it
 * mounts on `DOMContentLoaded`.
 */
export function mount(options: MountOptions, base: string = document.baseURI): ChatWidget | null {
  if (!document.body) {
    document.addEventListener('DOMContentLoaded', () => mount(options, base), { once: true });
    return null;
  }
  const relay = socketUrl(options.relay, base);
  const room = options.room || DEFAULT_ROOM;
  const existing = [...document.querySelectorAll(TAG_NAME)].find(
    (w) => w.getAttribute('relay') === relay && (w.getAttribute('room') || DEFAULT_ROOM) === room,
  );
  if (existing) return existing;
  const el = document.createElement(TAG_NAME);
  el.setAttribute('relay', relay);
  for (const name of PASSED) {
    const value = options[name];
    if (value) el.setAttribute(name, value);
  }
  if (options.open !== undefined && options.open !== 'false') el.setAttribute('open', '');
  document.body.append(el);
  return el;
}

/** Mounts the widget a script tag describes (its `data-*`, relative to its `src`). */
export function mountFromScript(script: HTMLOrSVGScriptElement | null): ChatWidget | null {
  if (!(script instanceof HTMLScriptElement)) return null;
  return mount({ ...script.dataset }, script.src || document.baseURI);
}
