/**
 * Mounts a `<chat-widget>` from a script tag's `data-*` attributes: what the
 * script-tag bundle does with its own `<script>` element.
 *
 * `data-relay` relative or absent is resolved against the script's `src`
 * (absent: `/chat` there), since the relay that serves `widget.js` is the
 * natural one to talk to. Every other `data-*` attribute (`data-room`,
 * `data-nickname`, `data-token`, `data-title`, `data-position`, `data-theme`,
 * `data-lang`, `data-open`) becomes the element's attribute of the same name.
 */
import { DEFAULT_ROOM, TAG_NAME } from '../chat-widget/constants.js';
import type { ChatWidget } from '../chat-widget/chat-widget.js';
import { socketUrl } from '../relay-url.js';

/** Settings of a mounted widget, as the `data-*` attributes of the script tag give them (attribute name: value). */
export type MountOptions = Record<string, string | undefined>;

/**
 * Appends a widget to `<body>` with the given settings, unless a widget for the
 * same relay and room is already on the page (a bundle loaded twice mounts
 * once). `base` resolves a relative relay URL. Returns the widget (the new one
 * or the one already there), or null when `<body>` does not exist yet: then it
 * mounts on `DOMContentLoaded`.
 *
 * @example
 * ```ts
 * mount({ relay: 'wss://chat.example.com/chat', room: 'support', theme: 'dark' });
 * ```
 */
export function mount(options: MountOptions, base: string = document.baseURI): ChatWidget | null {
  if (!document.body) {
    document.addEventListener('DOMContentLoaded', () => mount(options, base), { once: true });
    return null;
  }
  const settings = { ...options, relay: socketUrl(options.relay, base), room: options.room || DEFAULT_ROOM };
  const same = (w: Element): boolean => w.getAttribute('relay') === settings.relay && (w.getAttribute('room') || DEFAULT_ROOM) === settings.room;
  const existing = [...document.querySelectorAll(TAG_NAME)].find(same);
  if (existing) return existing;
  const el = document.createElement(TAG_NAME);
  for (const [name, value] of Object.entries(settings)) {
    if (name === 'open' ? value !== 'false' : value) el.setAttribute(name, name === 'open' ? '' : value!);
  }
  document.body.append(el);
  return el;
}

/** Mounts the widget a script tag describes (its `data-*`, relative to its `src`). */
export function mountFromScript(script: HTMLOrSVGScriptElement | null): ChatWidget | null {
  return script instanceof HTMLScriptElement ? mount({ ...script.dataset }, script.src || document.baseURI) : null;
}
