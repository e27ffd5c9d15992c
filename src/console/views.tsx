/** @jsxRuntime automatic @jsxImportSource preact */
/** The bodies of the console's sign-in, home and own-password pages (the routes are in pages.tsx). */
import { Empty, hrefWith, PostForm } from '../platform/pages';

export function SignIn(p: { csrf: string | undefined; next: string; username?: string }) {
  return (
    <section class="card sign-in">
      <h1>Sign in</h1>
      <p class="muted">
        Staff sign in with their console account: approvals, finance and the operator screens.
      </p>
      {p.csrf ? (
        <PostForm action="/console/login" csrf={p.csrf} class="stack" id="sign-in">
          <input type="hidden" name="next" value={p.next} />
          <label>
            Username
            <input
              type="text"
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              maxLength={64}
              value={p.username ?? ''}
            />
          </label>
          <label>
            Password
            <input type="password" name="password" autocomplete="current-password" required maxLength={256} />
          </label>
          <p>
            <button type="submit" class="primary">
              Sign in
            </button>
          </p>
        </PostForm>
      ) : (
        <p>
          <a
            class="button primary"
            href={hrefWith('/', { next: p.next === '/' ? undefined : p.next })}
            id="retry"
          >
            Try again
          </a>
        </p>
      )}
    </section>
  );
}

export interface DemoInfo {
  firstRun: boolean;
  adminUsername: string;
  dataDir: string;
  demo: boolean;
  financeKey: string;
}

/** Embedded mode: where the first admin's password is, how to change it, and the demo. */
export function Embedded({ info }: { info: DemoInfo }) {
  return (
    <section class="card" id="first-run">
      <h2>{info.firstRun ? 'First run' : 'Embedded mode'}</h2>
      <p>
        {`This gateway runs embedded (PGlite in ${info.dataDir}). At its first start it created the console account `}
        <strong>{info.adminUsername}</strong>
        {' with a generated password, printed once in the terminal that ran '}
        <code>npm start</code>
        {' (only its hash is stored). Change it with '}
        <code>{`npm run gateway -- users passwd ${info.adminUsername}`}</code>
        {' (beside the running server too); add colleagues with '}
        <code>npm run gateway -- users add NAME --roles approver</code>.
      </p>
      {info.demo ? (
        <>
          <h2>The demo</h2>
          <ul id="demo-links">
            <li>
              <a href="/demo/buyer">Demo buyer</a>: plays the buyer&rsquo;s procurement system. Punch out,
              order, then record the shipment and the invoice in the console&rsquo;s Orders screen.
            </li>
            <li>
              <a href="/approvals">Approvals</a>: orders of the demo partner waiting for a decision.
            </li>
            <li>
              <a href="/finance/login">Finance pages</a>
              {' as the demo buyer\u2019s finance team, with the demo finance key '}
              <code>{info.financeKey}</code>.
            </li>
            <li>
              <a href="/api/v1/openapi.json">The API</a> (OpenAPI 3.1), with the demo keys and cXML/OCI
              credentials of the README.
            </li>
          </ul>
        </>
      ) : null}
    </section>
  );
}

export interface Tile {
  href: string;
  label: string;
  id: string;
}

export function Home(p: { username: string; roles: string[]; tiles: Tile[]; demo?: boolean }) {
  return (
    <>
      <h1>{`Welcome, ${p.username}`}</h1>
      <p class="lead">{`Roles: ${p.roles.join(', ')}`}</p>
      {p.tiles.length ? (
        <ul class="tiles" id="areas">
          {p.tiles.map((t) => (
            <li>
              <a href={t.href} id={t.id}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <Empty id="no-areas">Your roles open no screen yet.</Empty>
      )}
      {p.demo ? (
        <p id="demo-buyer-link">
          <a href="/demo/buyer">Demo buyer</a>: plays the buyer&rsquo;s procurement system (punch out, order,
          then follow the order here).
        </p>
      ) : null}
    </>
  );
}

export function OwnPassword({ csrf }: { csrf: string }) {
  return (
    <>
      <h1>My password</h1>
      <PostForm action="/console/password" csrf={csrf} class="stack" id="own-password">
        <label>
          Current password
          <input type="password" name="current" required maxLength={256} autocomplete="current-password" />
        </label>
        <label>
          New password (at least 12 characters)
          <input
            type="password"
            name="password"
            required
            minLength={12}
            maxLength={256}
            autocomplete="new-password"
          />
        </label>
        <label>
          New password again
          <input
            type="password"
            name="repeat"
            required
            minLength={12}
            maxLength={256}
            autocomplete="new-password"
          />
        </label>
        <p class="muted">Every session of yours ends; you sign in again with the new password.</p>
        <p>
          <button type="submit" class="primary">
            Change password
          </button>
        </p>
      </PostForm>
    </>
  );
}
