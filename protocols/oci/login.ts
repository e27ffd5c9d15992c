import { dec, isDecimalString } from '../../src/model';
import type { DecimalString } from '../../src/model';
import { FieldBag, invalid, missing } from './fields';
import type { OciFields, OciResult } from './fields';

/** OCI 4.0/5.0 values of FUNCTION: what the SRM asks the catalog to do instead of an interactive session. */
export const OCI_FUNCTIONS = ['DETAIL', 'DETAILADD', 'VALIDATE', 'SOURCING', 'BACKGROUND_SEARCH'] as const;
export type OciFunction = (typeof OCI_FUNCTIONS)[number];

export interface OciLogin {
  username: string;
  password: string;
  /** Where the cart goes back to: absolute http(s) URL, as the WHATWG URL parser serialises it. */
  hookUrl: string;
  /** ~OkCode, returned unchanged with the cart (SAP sends "ADDI"). */
  okCode?: string;
  /** ~TARGET: the frame the cart form posts into. */
  target?: string;
  /** ~CALLER, returned unchanged (SAP sends "CTLG"). */
  caller?: string;
  returnTarget?: string;
  function?: OciFunction;
  productId?: string;
  /** Decimal string, > 0. */
  quantity?: DecimalString;
  searchString?: string;
  vendor?: string;
  /** Every other field received, under the name as it was spelled, first value. */
  extra: Record<string, string>;
}

const KNOWN = new Set([
  'USERNAME',
  'PASSWORD',
  'HOOK_URL',
  '~OKCODE',
  '~TARGET',
  '~CALLER',
  'RETURNTARGET',
  'FUNCTION',
  'PRODUCTID',
  'QUANTITY',
  'SEARCHSTRING',
  'VENDOR',
]);

// C0 controls, DEL, whitespace: browsers strip or ignore them inside URLs, which hides what the URL is.
// eslint-disable-next-line no-control-regex
const URL_UNSAFE_CHARS = /[\u0000-\u0020\u007f]/;

/**
 * Parses an absolute http(s) URL strictly: the scheme must be spelled out with "//" (the WHATWG
 * parser would otherwise accept "https:evil.example"), no credentials, no control characters or
 * whitespace. Returns undefined for anything else.
 */
export function parseHttpUrl(value: string): URL | undefined {
  if (URL_UNSAFE_CHARS.test(value)) return undefined;
  if (!/^https?:\/\//i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url;
}

/**
 * Reads an OCI login (the fields the buyer's SRM posts or puts in the query string to open the
 * catalog). Field names are case-insensitive. The first problem found is returned, naming the field.
 */
export function parseOciLogin(fields: OciFields): OciResult<OciLogin> {
  const bag = new FieldBag(fields);
  const read: Record<string, string | undefined> = {};
  for (const key of KNOWN) {
    const r = bag.one(key);
    if (!r.ok) return r;
    read[key] = r.value;
  }

  const username = read.USERNAME;
  if (username === undefined) return missing('USERNAME');
  const password = read.PASSWORD;
  if (password === undefined) return missing('PASSWORD');
  const rawHook = read.HOOK_URL;
  if (rawHook === undefined) return missing('HOOK_URL');
  const hook = parseHttpUrl(rawHook);
  if (!hook) {
    return invalid('HOOK_URL', 'HOOK_URL must be an absolute http(s) URL without credentials or whitespace');
  }

  let fn: OciFunction | undefined;
  if (read.FUNCTION !== undefined) {
    const upper = read.FUNCTION.toUpperCase();
    fn = OCI_FUNCTIONS.find((f) => f === upper);
    if (!fn)
      return invalid('FUNCTION', `FUNCTION "${read.FUNCTION}" is not one of ${OCI_FUNCTIONS.join(', ')}`);
  }

  const quantity = read.QUANTITY;
  if (quantity !== undefined && (!isDecimalString(quantity) || dec(quantity).lte(0))) {
    return invalid(
      'QUANTITY',
      `QUANTITY "${quantity}" must be a positive decimal number with "." as separator`,
    );
  }

  if ((fn === 'DETAIL' || fn === 'DETAILADD' || fn === 'VALIDATE') && read.PRODUCTID === undefined) {
    return missing('PRODUCTID', `FUNCTION=${fn} needs PRODUCTID`);
  }
  if (fn === 'BACKGROUND_SEARCH' && read.SEARCHSTRING === undefined) {
    return missing('SEARCHSTRING', 'FUNCTION=BACKGROUND_SEARCH needs SEARCHSTRING');
  }

  const extra: Record<string, string> = {};
  for (const key of bag.keys()) {
    if (KNOWN.has(key)) continue;
    extra[bag.spelling(key)] = bag.all(key)[0] ?? '';
  }

  const login: OciLogin = { username, password, hookUrl: hook.href, extra };
  if (read['~OKCODE'] !== undefined) login.okCode = read['~OKCODE'];
  if (read['~TARGET'] !== undefined) login.target = read['~TARGET'];
  if (read['~CALLER'] !== undefined) login.caller = read['~CALLER'];
  if (read.RETURNTARGET !== undefined) login.returnTarget = read.RETURNTARGET;
  if (fn !== undefined) login.function = fn;
  if (read.PRODUCTID !== undefined) login.productId = read.PRODUCTID;
  if (quantity !== undefined) login.quantity = quantity;
  if (read.SEARCHSTRING !== undefined) login.searchString = read.SEARCHSTRING;
  if (read.VENDOR !== undefined) login.vendor = read.VENDOR;
  return { ok: true, value: login };
}

function sameHost(a: string, b: string): boolean {
  // "srm.example." and "srm.example" name the same DNS host.
  return a.replace(/\.$/, '') === b.replace(/\.$/, '');
}

/**
 * True when `hookUrl` lies under one of the allowlisted prefixes. Both sides are parsed, and compared
 * as URLs, not as strings: scheme, host and port must be equal (so "https://srm.acme.example" does not
 * admit "https://srm.acme.example.evil.com/" nor "https://srm.acme.example@evil.com/"), and the path
 * must equal the prefix's path or continue it after a "/" ("/sap/bc" admits "/sap/bc/x", not
 * "/sap/bcx"; "/sap/bc/" admits only what is below it). Dot segments are resolved before comparing.
 * An allowlist entry that is not an absolute http(s) URL, or that carries a query or fragment,
 * matches nothing.
 */
export function hookUrlAllowed(hookUrl: string, allowlist: readonly string[]): boolean {
  const target = parseHttpUrl(hookUrl.trim());
  if (!target) return false;
  return allowlist.some((entry) => {
    const prefix = parseHttpUrl(entry.trim());
    if (!prefix || prefix.search !== '' || prefix.hash !== '') return false;
    if (prefix.protocol !== target.protocol || prefix.port !== target.port) return false;
    if (!sameHost(prefix.hostname, target.hostname)) return false;
    const path = prefix.pathname;
    if (path.endsWith('/')) return target.pathname.startsWith(path);
    return target.pathname === path || target.pathname.startsWith(`${path}/`);
  });
}
