/** Formats message times as the visitor's locale writes hours and minutes. */
const formats = new Map<string, Intl.DateTimeFormat>();

/** `14:05`, `下午2:05`... for a time in ms since the epoch. */
export function formatTime(ts: number, locale: string): string {
  let f = formats.get(locale);
  if (!f) formats.set(locale, (f = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })));
  return f.format(ts);
}
