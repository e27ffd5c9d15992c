/**
 * ISO 3166-1 alpha-2 country codes from country names, for addresses that name their country but
 * give no code (cXML's Country needs isoCountryCode, X12 N404 is a code). The table is CLDR's, as
 * Node's ICU carries it (Intl.DisplayNames): every assigned code's name in English, in its short
 * form ("UK") and in a few languages buyers write addresses in ("Deutschland", "Espagne"), compared
 * without case, accents or punctuation. A name it does not know gives undefined: never a guess.
 */

/** CLDR region codes that are not (or no longer) assigned ISO 3166-1 country codes. */
const NOT_ISO = new Set(
  'AC CP CQ DG EA EU EZ IC QO TA UN XA XB XK ZZ UK AN BU CS DD DY FX HV NH RH SU TP VD YD YU ZR'.split(' '),
);
const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'];
/** Names CLDR does not give that buyers' systems write. */
const ALIASES: Record<string, string> = {
  usa: 'US',
  'united states of america': 'US',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'ivory coast': 'CI',
  'czech republic': 'CZ',
  turkey: 'TR',
  burma: 'MM',
  'republic of korea': 'KR',
  'russian federation': 'RU',
};

/** "Côte d’Ivoire" -> "cote d ivoire": the form names are compared in. */
export function countryKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

let table: { codes: Set<string>; byName: Map<string, string> } | undefined;

function countries(): { codes: Set<string>; byName: Map<string, string> } {
  if (table) return table;
  const codes = new Set<string>();
  const byName = new Map<string, string>();
  const english = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (!NOT_ISO.has(code) && english.of(code) !== code) codes.add(code);
    }
  }
  for (const lang of LANGUAGES) {
    for (const style of ['long', 'short'] as const) {
      const names = new Intl.DisplayNames([lang], { type: 'region', style });
      for (const code of codes) {
        const key = countryKey(names.of(code) ?? code);
        if (!byName.has(key)) byName.set(key, code);
      }
    }
  }
  for (const [name, code] of Object.entries(ALIASES)) byName.set(name, code);
  table = { codes, byName };
  return table;
}

/** Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case). */
export const isCountryCode = (code: string): boolean => countries().codes.has(code);

/** The ISO 3166-1 alpha-2 code of a country name ("Germany", "Deutschland", "usa", "DE"), or undefined. */
export function countryCodeOf(name: string): string | undefined {
  const trimmed = name.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed) && isCountryCode(trimmed.toUpperCase())) return trimmed.toUpperCase();
  return countries().byName.get(countryKey(trimmed));
}
