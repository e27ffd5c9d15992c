/**
 * The reader's locale for money and dates on pages: the first language of the request's
 * Accept-Language (by q-value) that Intl can format for, else en-US. Only formatting follows it;
 * the pages' words stay English.
 */
import type { Request } from 'express';
import { DEFAULT_LOCALE, knownLocale } from '../../model/format';

/** The locale an Accept-Language header asks for (RFC 9110 §12.5.4), or `fallback`. */
export function localeFrom(header: string | undefined, fallback = DEFAULT_LOCALE): string {
  if (!header) return fallback;
  const wanted = header
    .slice(0, 512)
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((w) => w.tag !== '' && w.tag !== '*' && w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const w of wanted) if (knownLocale(w.tag)) return Intl.getCanonicalLocales(w.tag)[0] ?? fallback;
  return fallback;
}

export const requestLocale = (req: Request): string => localeFrom(req.get('accept-language'));
