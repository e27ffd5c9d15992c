/**
 * A supplier's colours as a small stylesheet of its own (`/assets/theme.css?brand=&accent=`): the
 * pages allow only stylesheets of ours (no inline styles), and the colours are validated here, so
 * the URL can carry nothing else. The header's text turns dark on a light brand colour.
 */
const HEX = /^[0-9a-f]{6}$/;

function normal(c: string | undefined): string | undefined {
  if (!c) return undefined;
  let v = c.trim().replace(/^#/, '').toLowerCase();
  if (/^[0-9a-f]{3}$/.test(v)) v = [...v].map((d) => d + d).join('');
  return HEX.test(v) ? v : undefined;
}

/** Relative luminance (WCAG 2) of an rrggbb colour. */
function luminance(hex: string): number {
  const ch = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
}

/** The theme's URL for these colours, or undefined when neither is a colour. */
export function themePath(colours: {
  brand?: string | undefined;
  accent?: string | undefined;
}): string | undefined {
  const brand = normal(colours.brand);
  const accent = normal(colours.accent);
  if (!brand && !accent) return undefined;
  const qs = new URLSearchParams();
  if (brand) qs.set('brand', brand);
  if (accent) qs.set('accent', accent);
  return `/assets/theme.css?${qs}`;
}

/** The stylesheet for a theme URL's query (anything that is not a colour is left out). */
export function themeCss(query: Record<string, unknown>): string {
  const brand = normal(typeof query.brand === 'string' ? query.brand : undefined);
  const accent = normal(typeof query.accent === 'string' ? query.accent : undefined);
  const vars: string[] = [];
  if (brand) {
    vars.push(`--brand:#${brand}`, `--brand-ink:${luminance(brand) > 0.4 ? '#1d2433' : '#fff'}`);
  }
  if (accent) vars.push(`--accent:#${accent}`, `--accent-dark:#${accent}`);
  return vars.length ? `:root{${vars.join(';')}}\n` : '';
}
