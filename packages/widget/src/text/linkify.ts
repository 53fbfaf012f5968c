/**
 * Splits message text into plain runs and http(s) links. The widget renders
 * both as text (links as `<a>` whose text and `href` are the URL); nothing is
 * ever parsed as HTML, and no other scheme (`javascript:`, `data:`...)
 * becomes a link.
 *
 * @example
 * ```ts
 * linkify('see https://example.com.'); // ['see ', { href: 'https://example.com/', text: 'https://example.com' }, '.']
 * ```
 */

/** A link found in text: the URL as written, and its normalized `href`. */
export interface Link {
  text: string;
  href: string;
}

/** A candidate: http(s):// followed by anything up to whitespace or a character URLs do not carry raw. */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+/gi;
/** Punctuation that ends a sentence more often than a URL. */
const TRAILING = /[.,;:!?)\]}'"*_~]+$/;

/** Text runs and links, in order. */
export function linkify(text: string): Array<string | Link> {
  const out: Array<string | Link> = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const raw = match[0].replace(TRAILING, '');
    const href = safeHref(raw);
    const start = match.index ?? 0;
    if (!href) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push({ text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The normalized URL when it parses as http or https with a host, else null. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}
