/**
 * The script-tag entry, bundled as `widget.js`:
 *
 * ```html
 * <script src="https://chat.example.com/widget.js" data-relay="wss://chat.example.com/chat" data-room="lobby" async></script>
 * ```
 *
 * Defines `<chat-widget>` (unless already defined) and mounts one widget from
 * this script's `data-*` attributes. Loaded twice, it still mounts one widget
 * per relay and room.
 */
import { define } from './chat-widget/define.js';
import { mountFromScript } from './embed/mount.js';

define();
mountFromScript(document.currentScript);
