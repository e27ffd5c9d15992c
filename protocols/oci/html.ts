import { parseHttpUrl } from './login';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * For attribute values: the HTML parser turns a raw CR (and CRLF) into LF, so line breaks are written
 * as character references and the field's value in the page is exactly the string given. (On submit,
 * browsers still send every line break as CRLF, as HTML form encoding requires; XML parsers read both
 * alike, and base64 has none.)
 */
function escapeAttr(value: string): string {
  return escapeHtml(value).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}

export interface AutoSubmitFormOptions {
  /** Absolute http(s) URL the form posts to (the OCI HOOK_URL, the cXML BrowserFormPost URL). */
  action: string;
  /** The form's target frame (OCI ~TARGET, e.g. "_top"). */
  target?: string;
  /** Hidden fields in order; a name may repeat. */
  fields: readonly (readonly [name: string, value: string])[];
  /** Page title, also shown above the button when scripts are off. */
  title: string;
  /** Nonce for the inline script when the page is served with a nonce-based Content-Security-Policy. */
  scriptNonce?: string;
  /** Label of the button shown when scripts are off. */
  buttonLabel?: string;
}

/**
 * An HTML page holding a POST form of hidden fields that submits itself on load, with a button for
 * browsers without scripts. Every value and attribute is escaped. Refuses (throws RangeError) an
 * action that is not an absolute http(s) URL, since a "javascript:" action would run on submit.
 */
export function renderAutoSubmitForm(opts: AutoSubmitFormOptions): string {
  const action = parseHttpUrl(opts.action.trim());
  if (!action) throw new RangeError('form action must be an absolute http(s) URL');
  const target =
    opts.target !== undefined && opts.target !== '' ? ` target="${escapeAttr(opts.target)}"` : '';
  const nonce = opts.scriptNonce !== undefined ? ` nonce="${escapeAttr(opts.scriptNonce)}"` : '';
  const inputs = opts.fields
    .map(([name, value]) => `<input type="hidden" name="${escapeAttr(name)}" value="${escapeAttr(value)}">`)
    .join('\n');
  const title = escapeHtml(opts.title);
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${title}</title>`,
    '</head>',
    '<body>',
    `<form id="auto-submit" method="post" action="${escapeAttr(action.href)}"${target} accept-charset="UTF-8">`,
    inputs,
    `<noscript><p>${title}</p><button type="submit">${escapeHtml(opts.buttonLabel ?? 'Continue')}</button></noscript>`,
    '</form>',
    // Called through the prototype: a field named "submit" would otherwise hide form.submit().
    `<script${nonce}>HTMLFormElement.prototype.submit.call(document.getElementById('auto-submit'));</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
