/**
 * A bounded memory of recently delivered message ids.
 */

/**
 * Makes a "first time?" test over the last `max` ids: it answers `true` and
 * remembers the id the first time it sees it, `false` after that. Memory is
 * bounded: past `max` ids the oldest is forgotten (the per-room `seq` cursor
 * covers older messages).
 *
 * @example
 * ```ts
 * const firstTime = recentIds(2);
 * firstTime('a'); // true
 * firstTime('a'); // false
 * ```
 */
export function recentIds(max: number): (id: string) => boolean {
  const ids = new Set<string>();
  return (id) => {
    if (ids.has(id)) return false;
    ids.add(id);
    if (ids.size > max) ids.delete(ids.values().next().value!);
    return true;
  };
}
