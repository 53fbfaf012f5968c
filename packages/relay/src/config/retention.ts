/**
 * The `retention` option: how long, and how many messages, a store keeps per
 * room and per inbox. Written as an age (`30d`), a count (`10000`), both
 * (`30d,10000`), or `forever` (the default: keep everything).
 */

/** Units an age may be written in, and their length in ms. `m` is refused: minutes or months? */
export const RETENTION_UNITS: Readonly<Record<string, number>> = { s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Longest age accepted, ms (100 years of 365 days): beyond it, say `forever`. */
export const MAX_RETENTION_AGE_MS = 100 * 365 * 86_400_000;
/** Largest count accepted per room or inbox. */
export const MAX_RETENTION_COUNT = 1_000_000_000;
/** The word for "keep everything". */
export const RETENTION_FOREVER = 'forever';

/** What `retention` asks a store to keep; neither field keeps everything. */
export interface RetentionSpec {
  /** Deletes messages older than this, ms. */
  maxAgeMs?: number;
  /** Keeps at most this many of the newest messages per room and per inbox. */
  maxCount?: number;
}

const AGE = /^(\d+)(s|min|h|d|w)$/;
const COUNT = /^\d+$/;

/**
 * Reads a retention value; answers the policy, or why the text is not one.
 *
 * @example
 * ```ts
 * parseRetention('30d,10000'); // { maxAgeMs: 2_592_000_000, maxCount: 10000 }
 * parseRetention('forever');   // {}
 * parseRetention('6m');        // 'm is ambiguous: write min for minutes or d for days ...'
 * ```
 */
export function parseRetention(text: string): RetentionSpec | string {
  const t = text.trim();
  if (t === RETENTION_FOREVER) return {};
  const parts = t.split(',').map((p) => p.trim());
  const spec: RetentionSpec = {};
  for (const part of parts) {
    if (COUNT.test(part)) {
      if (spec.maxCount !== undefined) return 'give at most one count';
      const n = Number(part);
      if (n < 1 || n > MAX_RETENTION_COUNT) return `a count must be from 1 to ${MAX_RETENTION_COUNT}, got ${part}`;
      spec.maxCount = n;
      continue;
    }
    const age = AGE.exec(part);
    if (age) {
      if (spec.maxAgeMs !== undefined) return 'give at most one age';
      const ms = Number(age[1]) * RETENTION_UNITS[age[2]!]!;
      if (ms < 1000 || ms > MAX_RETENTION_AGE_MS) return `an age must be from 1s to 36500d, got ${part}`;
      spec.maxAgeMs = ms;
      continue;
    }
    if (/^\d+m$/.test(part)) return `m is ambiguous: write min for minutes or d for days, got ${part}`;
    return `must be an age (30d; units s, min, h, d, w), a count (10000), both (30d,10000) or ${RETENTION_FOREVER}, got ${JSON.stringify(part)}`;
  }
  return spec;
}

/** The policy as the option writes it (`30d,10000`, or `forever`). */
export function retentionText(spec: RetentionSpec): string {
  const parts: string[] = [];
  if (spec.maxAgeMs !== undefined) {
    const unit = Object.entries(RETENTION_UNITS).reverse().find(([, ms]) => spec.maxAgeMs! % ms === 0)!;
    parts.push(`${spec.maxAgeMs / unit[1]}${unit[0]}`);
  }
  if (spec.maxCount !== undefined) parts.push(String(spec.maxCount));
  return parts.length ? parts.join(',') : RETENTION_FOREVER;
}
