// Number formats and a table type that renders both as aligned console text
// and as a Markdown table.

export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
export const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
export const pct = (share, d = 0) => (Number.isFinite(share) ? `${(share * 100).toFixed(d)}%` : '—');
export const kB = (bytes, d = 1) => (Number.isFinite(bytes) ? `${(bytes / 1000).toFixed(d)} kB` : '—');
export const MB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(0)} MB` : '—');
export const ms = (x, d = 2) => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : '—');
export const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '—');
/** 1234567 → "1.23M", 183000 → "183k". */
export const short = (n) => {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return n.toFixed(0);
};

/** A table: a title, column headers, rows of strings. */
export function table(title, headers, rows) {
  return { title, headers, rows: rows.map((r) => r.map((c) => String(c))) };
}

/** Aligned plain text, for the console. */
export function renderText(t) {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [t.title, line(t.headers), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

/** A Markdown table (first column left-aligned, the others right-aligned). */
export function renderMarkdown(t) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [
    `| ${t.headers.map(esc).join(' | ')} |`,
    `| ${t.headers.map((_, i) => (i === 0 ? ':---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
