/** Server-rendered HTML of the punchout pages: layout, error page, Content-Security-Policy. */
import type { Response } from 'express';
import { escapeHtml } from '../../protocols/oci';
import type { PartnerRow } from '../partners/repository';

export const h = escapeHtml;

/** Origins that may frame the pages: ours, the buyer's return URL's origin, the partner's list. */
export function frameAncestors(partner: PartnerRow | undefined, returnUrl: string | undefined): string[] {
  const out = ["'self'"];
  if (returnUrl) {
    try {
      out.push(new URL(returnUrl).origin);
    } catch {
      /* not a URL: nothing more is allowed */
    }
  }
  for (const a of partner?.settings.punchout?.frameAncestors ?? []) {
    // Only source expressions without characters that would end the directive.
    if (/^[^\s;,']+$/.test(a)) out.push(a);
  }
  return [...new Set(out)];
}

export interface PageSecurity {
  ancestors: string[];
  formActions?: string[];
  scriptNonce?: string;
}

export function setPageHeaders(res: Response, sec: PageSecurity): void {
  res.removeHeader('X-Frame-Options');
  const directives = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' https: data:",
    "base-uri 'none'",
    `form-action ${["'self'", ...(sec.formActions ?? [])].join(' ')}`,
    `frame-ancestors ${sec.ancestors.join(' ')}`,
  ];
  if (sec.scriptNonce) directives.push(`script-src 'nonce-${sec.scriptNonce}'`);
  res.setHeader('Content-Security-Policy', directives.join('; '));
  res.setHeader('Cache-Control', 'no-store');
  // The page is framed by the buyer's site; its requests are ours only.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#234;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header a{color:#fff}main{padding:1em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}
.num{text-align:right}.err{color:#a00}form.inline{display:inline}input[type=text],input[type=search]{padding:.2em}`;

export function layout(title: string, body: string, nav = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title><style>${STYLE}</style></head>`,
    `<body>${nav}<main>${body}</main></body></html>`,
    '',
  ].join('\n');
}

/** A clear error page (never a stack trace). */
export function sendErrorPage(
  res: Response,
  status: number,
  title: string,
  message: string,
  sec: PageSecurity = { ancestors: ["'self'"] },
): void {
  setPageHeaders(res, sec);
  res
    .status(status)
    .type('html')
    .send(layout(title, `<h1>${h(title)}</h1><p class="err" id="error">${h(message)}</p>`));
}
