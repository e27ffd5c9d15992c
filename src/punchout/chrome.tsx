/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The punchout area of the page kit: the chrome of the catalog pages (search, navigation, the
 * buyer's company) and who may frame them. The pages run in the buyer's iframe, so every answer
 * under /punchout, error pages included, allows the buyer's frame: ours, the origin of the buyer's
 * return URL and the partner's punchout.frameAncestors; an error page that belongs to no known
 * session allows any frame (it holds a message and nothing to click).
 */
import type { AppContext } from '../platform/context';
import { PostForm, themePath, type BackForm, type Chrome, type PageSecurity } from '../platform/pages';
import type { PartnerRow } from '../partners/repository';
import type { SessionRow } from './sessions';

/** A live shopping session as the pages see it. */
export interface Shop {
  session: SessionRow;
  partner: PartnerRow;
  /** The browser token (in the path): the session's key for CSRF tokens and flash messages. */
  token: string;
  base: string;
  csrf: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    shop?: Shop;
  }
}

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

/** Product pictures and logos may come from any http(s) site (image_url is checked at import). */
const IMAGE_SOURCES = ['http:'];

export function shopSecurity(
  shop: Pick<Shop, 'session' | 'partner'>,
  extra: Omit<PageSecurity, 'ancestors'> = {},
): PageSecurity {
  return {
    ancestors: frameAncestors(shop.partner, shop.session.return_url),
    imageSources: IMAGE_SOURCES,
    ...extra,
  };
}

/**
 * The supplier as this partner's buyers see it: the partner's punchout.branding, else the
 * SUPPLIER_NAME, SUPPLIER_LOGO_URL and SUPPLIER_BRAND_COLOR / SUPPLIER_ACCENT_COLOR settings.
 */
export function branding(
  ctx: AppContext,
  partner: PartnerRow | undefined,
): Pick<Chrome, 'supplier' | 'logoUrl' | 'theme'> {
  const b = partner?.settings.punchout?.branding;
  const c = ctx.config;
  const logoUrl = b?.logoUrl ?? c.SUPPLIER_LOGO_URL;
  const theme = themePath({
    brand: b?.brandColor ?? c.SUPPLIER_BRAND_COLOR,
    accent: b?.accentColor ?? c.SUPPLIER_ACCENT_COLOR,
  });
  return {
    supplier: b?.supplierName ?? c.SUPPLIER_NAME,
    ...(logoUrl ? { logoUrl } : {}),
    ...(theme ? { theme } : {}),
  };
}

function SearchForm({ shop, q }: { shop: Shop; q: string | undefined }) {
  return (
    <form method="get" action={`${shop.base}search`} class="search" role="search">
      <input type="search" name="q" value={q ?? ''} aria-label="Search" placeholder="Search products" />
      <button type="submit">Search</button>
    </form>
  );
}

/**
 * What the way back without a new cart does, by the session's operation: an empty cart on create;
 * on edit and inspect the cart the buyer came with, unchanged (the return replaces that cart).
 */
export function returnWords(session: Pick<SessionRow, 'operation'>): {
  short: string;
  long: string;
  note: string;
} {
  if (session.operation === 'create')
    return {
      short: 'Cancel and return',
      long: 'Return to your procurement system without items',
      note: 'Nothing is added to your requisition.',
    };
  if (session.operation === 'edit')
    return {
      short: 'Cancel and return',
      long: 'Return to your procurement system without changes',
      note: 'Your requisition keeps the items it had.',
    };
  return { short: 'Return', long: 'Return to your procurement system', note: 'Nothing is changed.' };
}

/** The way back as the error pages of a session that never returned offer it (a POST to `action`). */
export function returnForm(session: SessionRow, action: string, csrf: string): BackForm {
  const w = returnWords(session);
  return { action, csrf, label: w.long, note: w.note };
}

/** The header's way back on every page of a live session (POST …/cancel). */
function ExitForm({ shop }: { shop: Shop }) {
  const w = returnWords(shop.session);
  return (
    <PostForm action={`${shop.base}cancel`} csrf={shop.csrf} class="exit">
      <button type="submit" id="return-empty" title={`${w.long}. ${w.note}`}>
        {w.short}
      </button>
    </PostForm>
  );
}

export type ShopPage = 'categories' | 'orders' | 'cart' | 'compare' | undefined;

/** The chrome of a live session's pages; `q` is the search shown in the box (the results' query). */
export function shopChrome(ctx: AppContext, shop: Shop, current?: ShopPage, q?: string): Chrome {
  const readOnly = shop.session.operation === 'inspect';
  return {
    ...branding(ctx, shop.partner),
    area: 'Catalog',
    home: shop.base,
    context: (
      <>
        {`for ${shop.partner.name}`}
        {readOnly ? (
          <>
            {' '}
            <em class="badge">(read only)</em>
          </>
        ) : null}
      </>
    ),
    tools: <SearchForm shop={shop} q={q} />,
    nav: [
      { href: shop.base, label: 'Categories', current: current === 'categories' },
      {
        href: `${shop.base}compare`,
        label: shop.session.compare_skus?.length
          ? `Compare (${shop.session.compare_skus.length})`
          : 'Compare',
        id: 'compare-link',
        current: current === 'compare',
      },
      { href: `${shop.base}orders`, label: 'Orders', id: 'orders-link', current: current === 'orders' },
      { href: `${shop.base}cart`, label: 'Cart', id: 'cart-link', current: current === 'cart' },
    ],
    exit: <ExitForm shop={shop} />,
    security: shopSecurity(shop),
    back: { href: shop.base, label: 'Back to the catalog' },
  };
}

/**
 * The chrome of a page without a live session (unknown, used or ended link): no navigation, no way
 * back but the buyer's procurement system; framed by the partner's origins when the session is
 * known, by any otherwise.
 */
export function noSessionChrome(
  ctx: AppContext,
  known?: { partner?: PartnerRow; returnUrl?: string },
): Chrome {
  return {
    ...branding(ctx, known?.partner),
    area: 'Catalog',
    home: '#main',
    ...(known?.partner ? { context: `for ${known.partner.name}` } : {}),
    nav: [],
    security: known?.partner
      ? { ancestors: frameAncestors(known.partner, known.returnUrl), imageSources: IMAGE_SOURCES }
      : { ancestors: 'any', imageSources: IMAGE_SOURCES },
  };
}

/** The chrome for a request of the punchout area: its session's when it has one. */
export function chromeOfRequest(ctx: AppContext, shop: Shop | undefined): Chrome {
  return shop ? shopChrome(ctx, shop) : noSessionChrome(ctx);
}
