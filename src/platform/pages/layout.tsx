/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The one layout of every page (header with the supplier's name and the area's navigation, main,
 * footer) and the small components pages are built from. Rendered by Preact to a string: every text
 * child and attribute value is escaped by the renderer, so a page never writes HTML by hand.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Flash } from './flash';
import type { PageSecurity } from './security';
import { STYLESHEET_PATH } from './styles';

export interface NavLink {
  href: string;
  label: string;
  id?: string;
  /** The link of the page being shown (aria-current). */
  current?: boolean;
}

/** What stays the same on every page of one area (punchout catalog, approvals, finance). */
export interface Chrome {
  /** The supplier's name (config SUPPLIER_NAME), first in the header and the footer. */
  supplier: string;
  /** The supplier's logo beside its name (an http(s) URL the browser loads without a referrer). */
  logoUrl?: string;
  /** A stylesheet of the supplier's colours after the kit's (themePath). */
  theme?: string;
  /** The area: "Catalog", "Approvals", "Finance". */
  area: string;
  /** Where the brand link goes (the area's first page). */
  home: string;
  nav: NavLink[];
  /** Beside the brand: whom the pages are for (the buyer's company in punchout). */
  context?: ComponentChildren;
  /** Header tools between brand and navigation (the catalog's search form). */
  tools?: ComponentChildren;
  /** The way out of the area at the end of the header (the catalog's return to the procurement system). */
  exit?: ComponentChildren;
  /** The signed-in user, with a sign-out form when the area has one. */
  account?: { label: string; signOut?: { action: string; csrf: string } };
  /** Headers of every page of the area (who may frame it). */
  security: PageSecurity;
  /** The link error pages offer back into the area ("Back to the catalog"). */
  back?: { href: string; label: string };
}

export interface PageOptions {
  title: string;
  chrome: Chrome;
  flash?: Flash[];
  children?: ComponentChildren;
}

/** A POST form with the session's CSRF token as its first field. */
export function PostForm(props: {
  action: string;
  csrf: string;
  class?: string;
  id?: string;
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={props.action} class={props.class} id={props.id}>
      <input type="hidden" name="csrf" value={props.csrf} />
      {props.children}
    </form>
  );
}

/**
 * A POST form without a CSRF token: only for the posts CSRF_EXEMPT names, which carry their own
 * credential (the reason is required so that a reader sees why).
 */
export function CredentialForm(props: {
  action: string;
  exempt: string;
  class?: string;
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={props.action} class={props.class} data-csrf-exempt={props.exempt}>
      {props.children}
    </form>
  );
}

export function Flashes({ flash }: { flash: Flash[] }) {
  return (
    <>
      {flash.map((f) => (
        <div class={`flash flash-${f.kind}`} role={f.kind === 'error' ? 'alert' : 'status'}>
          {f.message}
          {f.details?.length ? (
            <ul>
              {f.details.map((d) => (
                <li>{d}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </>
  );
}

/** "No orders found." in the style of an empty list. */
export function Empty(props: { id?: string; children?: ComponentChildren }) {
  return (
    <p class="empty" id={props.id}>
      {props.children}
    </p>
  );
}

function Header({ chrome }: { chrome: Chrome }) {
  return (
    <header class="site-header">
      <div class="bar">
        <div class="identity">
          <a class="brand" href={chrome.home}>
            {chrome.logoUrl ? (
              <img class="logo" src={chrome.logoUrl} alt="" referrerpolicy="no-referrer" height={28} />
            ) : null}
            {chrome.supplier}
          </a>
          <span class="sub">
            <span class="area">{chrome.area}</span>
            {chrome.context ? <span class="context">{chrome.context}</span> : null}
          </span>
        </div>
        {chrome.tools}
        {chrome.nav.length ? (
          <nav aria-label={chrome.area}>
            <ul>
              {chrome.nav.map((l) => (
                <li>
                  <a href={l.href} id={l.id} aria-current={l.current ? 'page' : undefined}>
                    {l.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {chrome.exit}
        {chrome.account ? (
          <div class="account">
            <span>{chrome.account.label}</span>
            {chrome.account.signOut ? (
              <PostForm
                action={chrome.account.signOut.action}
                csrf={chrome.account.signOut.csrf}
                class="inline"
              >
                <button type="submit" id="sign-out">
                  Sign out
                </button>
              </PostForm>
            ) : null}
          </div>
        ) : null}
      </div>
    </header>
  );
}

function Document({ title, chrome, flash, children }: PageOptions) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · ${chrome.supplier}`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        {chrome.theme ? <link rel="stylesheet" href={chrome.theme} /> : null}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <Header chrome={chrome} />
        <main id="main" class="content">
          {flash?.length ? <Flashes flash={flash} /> : null}
          {children}
        </main>
        <footer class="site-footer">
          <div class="bar">
            <span>{`${chrome.supplier} · ${chrome.area}`}</span>
            <span>Questions about an order? Contact your account manager.</span>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** The whole page as HTML text. */
export function renderPage(page: PageOptions): string {
  return `<!DOCTYPE html>\n${renderToString(<Document {...page} />)}\n`;
}
