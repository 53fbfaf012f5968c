/**
 * A map for a handful of entries: a session's rooms. Almost every session is
 * in one to three rooms, and an idle connection's memory is mostly such
 * per-session state; a `Map`'s hash table costs ~370 bytes even for one
 * entry, while a flat array of keys and values costs ~100. Past
 * {@link SMALL_MAP_LINEAR_MAX} entries it moves into a real `Map`, so a
 * session allowed thousands of rooms still gets constant-time lookups.
 *
 * It implements the subset of `Map` the relay uses, in insertion order.
 */

/** Entries kept in the flat array before moving to a `Map`. */
export const SMALL_MAP_LINEAR_MAX = 8;

/**
 * @example
 * ```ts
 * const rooms = new SmallMap<string, number>();
 * rooms.set('lobby', 41); // joined when the room's seq was 41
 * rooms.get('lobby'); // 41
 * for (const [room, joined] of rooms) console.log(room, joined);
 * ```
 */
export class SmallMap<K, V> implements Iterable<[K, V]> {
  /** Keys and values alternating, while small; `null` when empty. */
  private flat: Array<K | V> | null = null;
  private big: Map<K, V> | null = null;

  /** How many entries there are. */
  get size(): number {
    return this.big ? this.big.size : this.flat ? this.flat.length >> 1 : 0;
  }

  has(key: K): boolean {
    return this.big ? this.big.has(key) : this.indexOf(key) >= 0;
  }

  get(key: K): V | undefined {
    if (this.big) return this.big.get(key);
    const i = this.indexOf(key);
    return i < 0 ? undefined : (this.flat![i + 1] as V);
  }

  set(key: K, value: V): this {
    if (this.big) {
      this.big.set(key, value);
      return this;
    }
    const i = this.indexOf(key);
    if (i >= 0) this.flat![i + 1] = value;
    else if (!this.flat) this.flat = [key, value];
    else if (this.flat.length >> 1 < SMALL_MAP_LINEAR_MAX) this.flat.push(key, value);
    else {
      this.big = new Map([...this, [key, value]]);
      this.flat = null;
    }
    return this;
  }

  /** Removes an entry; `true` when it was there. */
  delete(key: K): boolean {
    if (this.big) return this.big.delete(key);
    const i = this.indexOf(key);
    if (i < 0) return false;
    if (this.flat!.length === 2) this.flat = null;
    else this.flat!.splice(i, 2);
    return true;
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this) yield k;
  }

  *[Symbol.iterator](): Iterator<[K, V]> {
    if (this.big) {
      yield* this.big;
      return;
    }
    // A copy, so that deleting while iterating (leaving every room) is safe, as with a Map's keys.
    const flat = this.flat ? this.flat.slice() : [];
    for (let i = 0; i < flat.length; i += 2) yield [flat[i] as K, flat[i + 1] as V];
  }

  private indexOf(key: K): number {
    const flat = this.flat;
    if (!flat) return -1;
    for (let i = 0; i < flat.length; i += 2) if (flat[i] === key) return i;
    return -1;
  }
}
