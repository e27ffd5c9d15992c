/**
 * Response headers of every page: a Content-Security-Policy that allows our stylesheet and nothing
 * else to load, forms posting to us (and to the buyer's cart-return URL where needed), and exactly the
 * frame ancestors the page may be shown in.
 */
import type { Response } from 'express';

export interface PageSecurity {
  /**
   * Who may frame the page: 'none' (approvals, finance: X-Frame-Options DENY stays), a list of
   * source expressions (punchout: ours, the buyer's return URL origin, the partner's list), or 'any'
   * for punchout error pages that belong to no known session: they hold text and a link, nothing
   * to click-jack, and the buyer's iframe must show them instead of a broken frame.
   */
  ancestors: 'none' | 'any' | readonly string[];
  /** Origins forms may post to besides our own (the cart return posts to the buyer). */
  formActions?: readonly string[];
  /**
   * Images from other sites (punchout: product pictures and the supplier's logo, http or https):
   * `img-src` adds these source expressions to 'self' https: data:.
   */
  imageSources?: readonly string[];
  /** What the page may show in its own iframes (the demo buyer frames our punchout): `frame-src`. */
  frameSources?: readonly string[];
  /** Nonce of the one inline script a page may run (the cart return's auto-submit). */
  scriptNonce?: string;
}

export const NOT_FRAMED: PageSecurity = { ancestors: 'none' };

function ancestorsDirective(a: PageSecurity['ancestors']): string {
  if (a === 'none') return "'none'";
  if (a === 'any') return '*';
  return a.length ? a.join(' ') : "'none'";
}

export function setPageHeaders(res: Response, sec: PageSecurity): void {
  const directives = [
    "default-src 'none'",
    "style-src 'self'",
    `img-src ${["'self'", 'https:', 'data:', ...(sec.imageSources ?? [])].join(' ')}`,
    "base-uri 'none'",
    `form-action ${["'self'", ...(sec.formActions ?? [])].join(' ')}`,
    `frame-ancestors ${ancestorsDirective(sec.ancestors)}`,
  ];
  if (sec.frameSources?.length) directives.push(`frame-src ${sec.frameSources.join(' ')}`);
  if (sec.scriptNonce) directives.push(`script-src 'nonce-${sec.scriptNonce}'`);
  res.setHeader('Content-Security-Policy', directives.join('; '));
  res.setHeader('Cache-Control', 'no-store');
  if (sec.ancestors === 'none') {
    res.setHeader('X-Frame-Options', 'DENY');
  } else {
    // Framed by the buyer's site: the X-Frame-Options DENY every answer gets must go (browsers that
    // do not know frame-ancestors would obey it), and the page's own requests are ours only.
    res.removeHeader('X-Frame-Options');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  }
}
