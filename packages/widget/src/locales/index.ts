/**
 * The shipped locales and how one is chosen.
 *
 * @example
 * ```ts
 * const t = strings(pickLocale(el.lang || navigator.language));
 * t.status.open; // 'Connected'
 * ```
 */
import { en } from './en.js';
import { zhCN } from './zh-CN.js';
import type { Strings } from './strings.js';

export type { Strings } from './strings.js';

/** Every shipped locale, by its BCP 47 tag. */
export const LOCALES = { en, 'zh-CN': zhCN } as const;

/** A shipped locale's tag. */
export type Locale = keyof typeof LOCALES;

/** The shipped locale for a language tag: any Chinese (`zh`, `zh-CN`, `zh-Hans`...) is zh-CN, the rest English. */
export function pickLocale(tag: string | undefined | null): Locale {
  return /^zh\b/i.test(tag ?? '') ? 'zh-CN' : 'en';
}

/** The strings of a locale. */
export function strings(locale: Locale): Strings {
  return LOCALES[locale];
}
