/**
 * A Map-backed `storage` for the client SDK in Node (no sessionStorage there),
 * so the outbox, resume secret and cursors go through the same persistence
 * code as in a browser.
 */
import type { StorageLike } from '@parley/client';

/** A fresh, empty storage. */
export function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}
