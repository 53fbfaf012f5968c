/**
 * What survives a page reload: the resume secret, the cursors (and the room
 * epochs they belong to), the outbox.
 */
import type { OutboxEntry, StorageLike } from './types.js';

/** The client's persisted state. */
export interface Saved {
  /** The resume secret of the last session. */
  resume?: string;
  /** Rooms the client is in. */
  rooms: string[];
  /**
   * Last delivered `seq` per room (the key `''` is the private inbox) and,
   * under `'@' + room`, the epoch of the room's cursor. No prototype: a room
   * named `constructor` or `__proto__` is a key like any other.
   */
  cursors: Record<string, any>;
  /** Sends not yet acknowledged. */
  outbox: OutboxEntry[];
}

/**
 * The storage the client uses when none is given: `sessionStorage` when the
 * page may use it (it is missing in Node and throws in some sandboxed iframes), else none.
 *
 * @example
 * ```ts
 * const storage = defaultStorage(); // sessionStorage in a browser, undefined in Node
 * ```
 */
export function defaultStorage(): StorageLike | undefined {
  try {
    return sessionStorage;
  } catch {
    // not a browser, or a sandboxed frame that may not use it: none
  }
}

/**
 * Reads the saved state under `key`; a missing or damaged entry gives an empty state.
 *
 * @example
 * ```ts
 * const saved = load(sessionStorage, 'parley');
 * ```
 */
export function load(storage: StorageLike | null | undefined, key: string): Saved {
  let saved: Partial<Saved> = {};
  try {
    saved = JSON.parse(storage?.getItem(key) ?? '{}');
  } catch {
    // damaged: start empty
  }
  return { rooms: [], outbox: [], ...saved, cursors: { __proto__: null, ...saved.cursors } };
}

/**
 * Writes the state under `key`. A full or refusing storage is ignored: the
 * client then works as if it had none.
 *
 * @example
 * ```ts
 * save(sessionStorage, 'parley', { rooms: ['lobby'], cursors: { lobby: 41, '@lobby': 'e_k2x1' }, outbox: [] });
 * ```
 */
export function save(storage: StorageLike | null | undefined, key: string, state: Saved): void {
  try {
    storage?.setItem(key, JSON.stringify(state));
  } catch {
    // quota exceeded or storage disabled: keep going without persistence
  }
}
