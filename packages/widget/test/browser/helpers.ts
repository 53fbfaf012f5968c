// Shared helpers of the widget's browser tests: mount widgets against the
// test relay, wait for conditions, look inside the shadow root, and remove
// everything a test created.
import { executeServerCommand } from '@web/test-runner-commands';
import '@parley/widget';
import type { ChatWidget } from '@parley/widget';

/** The test relay's `/chat` WebSocket URL and its HTTP origin. */
export async function relay(): Promise<{ url: string; http: string }> {
  return (await executeServerCommand('relay-url')) as { url: string; http: string };
}

let counter = 0;
/** A name unique to this run: rooms and nicknames never collide between tests. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36).slice(-4)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

const mounted: HTMLElement[] = [];

/** Appends a `<chat-widget>` with these attributes (relay defaults to the test relay); removed after each test. */
export async function mount(attrs: Record<string, string | boolean>, parent: HTMLElement = document.body): Promise<ChatWidget> {
  const el = document.createElement('chat-widget');
  if (!('relay' in attrs)) el.setAttribute('relay', (await relay()).url);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  parent.append(el);
  mounted.push(el);
  await el.updateComplete;
  return el;
}

/** Mounts a widget and waits until the relay has welcomed it. */
export async function connected(attrs: Record<string, string | boolean>): Promise<ChatWidget> {
  const el = await mount(attrs);
  await until(() => el.status === 'open' && el.user !== null, `${String(attrs.nickname)} connects`);
  return el;
}

/** Removes every widget (and other element) a test registered. */
export function cleanup(): void {
  for (const el of mounted.splice(0)) el.remove();
}

/** Registers an element for {@link cleanup}. */
export function track<T extends HTMLElement>(el: T): T {
  mounted.push(el);
  return el;
}

/** Polling's pause (not exported: a test waits for a condition or an event, never for time to pass). */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` returns something truthy, polling; fails after `timeout` ms. */
export async function until<T>(check: () => T | Promise<T>, what = 'condition', timeout = 15000): Promise<NonNullable<T>> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(50);
  }
}


/** One element inside a widget's shadow root. */
export function $(el: ChatWidget, selector: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(selector);
}

/** Every element matching inside a widget's shadow root. */
export function $$(el: ChatWidget, selector: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

/** The texts of the message bubbles on screen. */
export function bubbles(el: ChatWidget): string[] {
  return $$(el, '.msg .bubble').map((b) => b.textContent ?? '');
}

/** Types into the composer (firing `input`) and submits as Enter would. */
export async function type(el: ChatWidget, text: string, submit = true): Promise<void> {
  const area = $(el, 'textarea') as HTMLTextAreaElement;
  area.value = text;
  area.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
  if (submit) {
    area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
    await el.updateComplete;
  }
}

/** Resolves with the first event of `type` on `target` that satisfies `accept`. */
export function nextEvent<E extends Event>(target: EventTarget, type: string, accept: (e: E) => boolean = () => true, timeout = 15000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, on);
      reject(new Error(`no ${type} event within ${timeout} ms`));
    }, timeout);
    const on = (e: Event): void => {
      if (!accept(e as E)) return;
      clearTimeout(timer);
      target.removeEventListener(type, on);
      resolve(e as E);
    };
    target.addEventListener(type, on);
  });
}

/** A short description of an element (tag, part, id, label), for readable focus assertions. */
export function describeNode(node: Element | null | undefined): string {
  if (!node) return 'nothing';
  const bits = [node.tagName.toLowerCase()];
  for (const a of ['part', 'id', 'aria-label']) if (node.getAttribute(a)) bits.push(`${a}=${node.getAttribute(a)}`);
  return bits.join(' ');
}

/** What has focus inside a widget, described by {@link describeNode}. */
export function describeFocus(el: ChatWidget): string {
  return describeNode(el.shadowRoot!.activeElement);
}
