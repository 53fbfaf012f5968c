/**
 * The relay's WebSocket paths and how a request path maps onto them.
 */

/** The protocol endpoint. */
export const CHAT_PATH = '/chat';
/** The seed profile's echo endpoint. */
export const ECHO_PATH = '/ws';
/** The seed profile's group chat: `/ws/<nickname>`. */
export const SEED_PREFIX = '/ws/';

/** Where a WebSocket request goes. */
export type Route = { kind: 'chat' } | { kind: 'echo' } | { kind: 'seed'; nick: string };

/**
 * The WebSocket route of a path, `null` when it is none, `'bad'` when it is a
 * seed path whose nickname is not valid percent-encoding.
 *
 * @example
 * ```ts
 * routeOf('/ws/Ada%20L'); // { kind: 'seed', nick: 'Ada L' }
 * routeOf('/index.html'); // null
 * ```
 */
export function routeOf(pathname: string): Route | null | 'bad' {
  if (pathname === CHAT_PATH) return { kind: 'chat' };
  if (pathname === ECHO_PATH) return { kind: 'echo' };
  if (!pathname.startsWith(SEED_PREFIX)) return null;
  const raw = pathname.slice(SEED_PREFIX.length);
  if (raw.length === 0 || raw.includes('/')) return 'bad';
  try {
    return { kind: 'seed', nick: decodeURIComponent(raw) };
  } catch {
    return 'bad';
  }
}

/** The path of a request URL (`/chat?x=1` → `/chat`), `null` when unparsable. */
export function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://relay.invalid').pathname;
  } catch {
    return null;
  }
}
