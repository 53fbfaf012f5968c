/**
 * The widget's styles. Lit adopts them as a constructable stylesheet, which a
 * strict Content-Security-Policy allows (no `<style>` element, no `style`
 * attribute).
 *
 * Isolation: the host element is left to the page (it may hide it), and
 * everything visible hangs off `.root`, which starts from `all: initial` and
 * sets the inherited properties again, so nothing the page sets on
 * `chat-widget` (or `*`, or `body`) reaches inside. Sizes are in `px`, never
 * `rem`, which the page's root font size would change.
 *
 * Written one rule per line: the bundler does not minify CSS inside template
 * literals, and the script-tag bundle has a size budget.
 */
import { css } from 'lit';

/** Dark palette: applied for `theme="dark"`, and for `theme="auto"` when the system prefers dark. */
const dark = css`
  --chat-bg: #1c2128; --chat-fg: #e6edf3; --chat-muted: #9ba6b2; --chat-border: #3d444d; --chat-accent: #1c64d2;
  --chat-link: #80b8ff; --chat-bubble-bg: #2d333b; --chat-bubble-fg: #e6edf3; --chat-danger: #ff8e85; --chat-focus: #80b8ff;
  --chat-shadow: 0 8px 32px rgb(0 0 0 / 0.6); --chat-scheme: dark;
`;

export const styles = css`
:host {
  --chat-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'Noto Sans', 'PingFang SC', 'Microsoft YaHei', sans-serif;
  --chat-font-size: 14px; --chat-bg: #fff; --chat-fg: #1f2328; --chat-muted: #59636e; --chat-border: #d1d9e0;
  --chat-accent: #0b5cad; --chat-on-accent: #fff; --chat-link: #0b5cad; --chat-bubble-bg: #eef1f4; --chat-bubble-fg: #1f2328;
  --chat-own-bubble-bg: var(--chat-accent); --chat-own-bubble-fg: var(--chat-on-accent); --chat-danger: #b42318;
  --chat-badge-bg: #c0271d; --chat-badge-fg: #fff; --chat-focus: #0b5cad; --chat-radius: 12px; --chat-width: 370px;
  --chat-height: 560px; --chat-offset: 20px; --chat-z-index: 2147483000; --chat-shadow: 0 8px 32px rgb(0 0 0 / 0.25);
  --chat-scheme: light;
}
:host([theme='dark']) { ${dark} }
@media (prefers-color-scheme: dark) { :host(:not([theme='light'])) { ${dark} } }

.root { all: initial; font: var(--chat-font-size) / 1.4 var(--chat-font-family); color: var(--chat-fg); color-scheme: var(--chat-scheme); }
* { box-sizing: border-box; }
[hidden], .banner:empty { display: none !important; }
button, input, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; background: none; border: 0; padding: 0; }
h2, h3, p, ul { margin: 0; padding: 0; font: inherit; list-style: none; }
:focus-visible { outline: 2px solid var(--chat-focus); outline-offset: 2px; }
header :focus-visible { outline-color: currentColor; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
svg { width: 18px; height: 18px; }

.launcher, .panel { position: fixed; z-index: var(--chat-z-index); right: var(--chat-offset); box-shadow: var(--chat-shadow); }
.left .launcher, .left .panel { right: auto; left: var(--chat-offset); }
.launcher { bottom: var(--chat-offset); width: 56px; height: 56px; border-radius: 50%; display: grid; place-items: center; }
.launcher svg { width: 26px; height: 26px; }
.launcher, header, .primary, .pill, [aria-current='true'] { background: var(--chat-accent); color: var(--chat-on-accent); border-color: var(--chat-accent); }
.badge, .count { min-width: 20px; padding: 0 5px; border-radius: 10px; background: var(--chat-badge-bg); color: var(--chat-badge-fg); font: 700 12px / 20px var(--chat-font-family); text-align: center; }
.badge { position: absolute; top: -6px; right: -6px; border: 2px solid var(--chat-bg); }

.panel { bottom: calc(var(--chat-offset) + 68px); width: var(--chat-width); max-width: calc(100vw - 2 * var(--chat-offset)); height: var(--chat-height); max-height: calc(100vh - var(--chat-offset) - 88px); display: flex; flex-direction: column; background: var(--chat-bg); border: 1px solid var(--chat-border); border-radius: var(--chat-radius); overflow: hidden; }
header { display: flex; align-items: center; gap: 6px; padding: 10px 10px 10px 16px; }
.heading { flex: 1; min-width: 0; }
h2, h3 { font-size: 16px; font-weight: 700; }
.status { font-size: 12px; }
.dot { display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%; background: #f2c94c; }
.dot.open { background: #6fdc8c; }
.dot.closed, .dot.idle { background: #c8ced6; }
header button, .tabs button { display: flex; align-items: center; gap: 4px; padding: 4px 8px; border-radius: 8px; font-size: 13px; white-space: nowrap; }
header button { min-width: 32px; min-height: 32px; }
header [aria-expanded='true'] { background: rgb(0 0 0 / 0.25); }
[part='members-button'] { border: 1px solid rgb(255 255 255 / 0.6); }

.tabs { display: flex; gap: 4px; padding: 6px 8px; overflow-x: auto; }
.tabs button { border: 1px solid var(--chat-border); border-radius: 14px; }
.tabs, .banner { border-bottom: 1px solid var(--chat-border); }
.banner { padding: 6px 12px; font-size: 13px; background: var(--chat-bubble-bg); }
.body { position: relative; flex: 1; min-height: 0; display: flex; flex-direction: column; }

.members { position: absolute; inset: 0; z-index: 1; background: var(--chat-bg); overflow-y: auto; padding: 12px; }
.members li, .members button { display: flex; justify-content: space-between; padding: 8px; }
.members button { flex: 1; margin: -8px; border-radius: 8px; }
.muted, .meta, .state, .notice, .typing, .counter { color: var(--chat-muted); font-size: 12px; }

.log { flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.earlier, .notice { align-self: center; text-align: center; }
.earlier, .failed button { color: var(--chat-link); text-decoration: underline; }
.msg { display: flex; flex-direction: column; align-items: flex-start; max-width: 85%; }
.own { align-self: flex-end; align-items: flex-end; }
.meta, .state { margin: 0 4px 2px; }
.name { font-weight: 600; color: var(--chat-fg); margin-right: 6px; }
.bubble { padding: 8px 12px; border-radius: 4px 16px 16px; background: var(--chat-bubble-bg); color: var(--chat-bubble-fg); white-space: pre-wrap; overflow-wrap: anywhere; }
.own .bubble { border-radius: 16px 4px 16px 16px; background: var(--chat-own-bubble-bg); color: var(--chat-own-bubble-fg); }
.bubble a { color: var(--chat-link); }
.own .bubble a { color: inherit; }
.failed, .error, .over, .failed button { color: var(--chat-danger); font-weight: 600; }
.pill { position: absolute; bottom: 8px; left: 50%; transform: translateX(-50%); padding: 6px 14px; border-radius: 16px; box-shadow: var(--chat-shadow); font-size: 13px; }
.typing { min-height: 20px; padding: 0 14px; font-style: italic; }

.composer { display: flex; align-items: flex-end; gap: 8px; padding: 8px; border-top: 1px solid var(--chat-border); }
.field { flex: 1; display: flex; flex-direction: column; }
.counter { text-align: end; }
textarea, input { width: 100%; padding: 8px 10px; border: 1px solid var(--chat-border); border-radius: 10px; background: var(--chat-bg); }
textarea { resize: none; field-sizing: content; min-height: 38px; max-height: 120px; }
.primary { min-height: 38px; padding: 0 14px; border-radius: 10px; font-weight: 600; }
:disabled { opacity: 0.6; cursor: default; }
.prompt { flex: 1; display: flex; flex-direction: column; justify-content: center; gap: 10px; padding: 20px; }
label { font-weight: 600; }
[aria-invalid='true'] { border-color: var(--chat-danger); }

@media (max-width: 480px) {
  .panel, .left .panel { inset: 0; width: auto; max-width: none; height: auto; max-height: none; border: 0; border-radius: 0; }
  .open .launcher { display: none; }
  textarea, input { font-size: 16px; }
}
`;
