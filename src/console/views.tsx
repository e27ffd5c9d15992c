/** @jsxRuntime automatic @jsxImportSource preact */
/** The bodies of the console pages (the routes are in pages.tsx). */
import { Empty, hrefWith, Pagination, PostForm, type Paging } from '../platform/pages';
import type { AuditFilter, AuditRow } from './audit';
import { USER_ROLES, type UserView } from './users';

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

export function Home(p: { username: string; roles: string[]; tiles: Tile[] }) {
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
    </>
  );
}

export const AUDIT_PER_PAGE = 50;

const shown = (v: unknown) => {
  const t = v === undefined ? '' : JSON.stringify(v);
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
};

/** before/after as lines "key: old → new" (a key only after: "key: new"; only before: "key: old → (gone)"). */
export function changeLines(before: unknown, after: unknown): string[] {
  const obj = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const b = obj(before);
  const a = obj(after);
  if (!b && !a) return before === null && after === null ? [] : [`${shown(before)} → ${shown(after)}`];
  const lines: string[] = [];
  for (const k of new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])) {
    const was = b?.[k];
    const now = a?.[k];
    if (b && a && JSON.stringify(was) === JSON.stringify(now)) continue;
    if (!b) lines.push(`${k}: ${shown(now)}`);
    else if (!a || !(k in a)) lines.push(`${k}: ${shown(was)} → (gone)`);
    else lines.push(`${k}: ${shown(was)} → ${shown(now)}`);
  }
  return lines;
}

export function AuditList(p: { f: AuditFilter; rows: AuditRow[]; total: number; paging: Paging }) {
  const { f } = p;
  return (
    <>
      <h1>Audit log</h1>
      <form method="get" action="/console/audit" class="filters">
        <label>
          Who
          <input type="text" name="actor" value={f.actor ?? ''} placeholder="user:alice" />
        </label>
        <label>
          Action
          <input type="text" name="action" value={f.action ?? ''} placeholder="user. or session.sign_in" />
        </label>
        <label>
          Subject
          <input type="text" name="subject" value={f.subject ?? ''} placeholder="user:alice" />
        </label>
        <label>
          From
          <input type="date" name="from" value={f.from ?? ''} />
        </label>
        <label>
          To
          <input type="date" name="to" value={f.to ?? ''} />
        </label>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      {p.rows.length ? (
        <div class="scroll-x">
          <table id="audit">
            <thead>
              <tr>
                <th>When (UTC)</th>
                <th>Who</th>
                <th>What</th>
                <th>Subject</th>
                <th>Change (before → after)</th>
                <th>Address</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr data-audit={r.id}>
                  <td class="nowrap">{r.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
                  <td class="nowrap">{r.actor}</td>
                  <td class="nowrap">{r.action}</td>
                  <td>{r.subject ?? ''}</td>
                  <td class="change">
                    {changeLines(r.before, r.after).map((l) => (
                      <div>{l}</div>
                    ))}
                  </td>
                  <td class="nowrap">
                    <small>{r.ip ?? ''}</small>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty id="no-entries">No entries match.</Empty>
      )}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="entries"
        href={(offset) =>
          hrefWith('/console/audit', {
            ...f,
            offset: offset || undefined,
            limit: p.paging.limit === AUDIT_PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}

export function UserList(p: { users: UserView[]; csrf: string; self: string }) {
  return (
    <>
      <h1>Users</h1>
      <div class="scroll-x">
        <table id="users">
          <thead>
            <tr>
              <th>Username</th>
              <th>Name</th>
              <th>Roles</th>
              <th>Partners</th>
              <th>State</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {p.users.map((u) => (
              <tr data-user={u.username}>
                <td class="nowrap">
                  <a href={`/console/users/${encodeURIComponent(u.username)}`}>{u.username}</a>
                </td>
                <td>{u.name ?? ''}</td>
                <td>{u.roles.join(', ')}</td>
                <td>{u.partners ? u.partners.join(', ') : 'all'}</td>
                <td>{u.disabled ? 'disabled' : 'active'}</td>
                <td class="nowrap">{u.lastSignInAt?.slice(0, 16).replace('T', ' ') ?? 'never'}</td>
                <td class="nowrap">
                  {u.username === p.self ? null : (
                    <PostForm
                      action={`/console/users/${encodeURIComponent(u.username)}/${u.disabled ? 'enable' : 'disable'}`}
                      csrf={p.csrf}
                      class="inline"
                    >
                      <button type="submit" class={u.disabled ? '' : 'danger'}>
                        {u.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </PostForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Add a user</h2>
      <PostForm action="/console/users" csrf={p.csrf} class="stack" id="add-user">
        <label>
          Username
          <input type="text" name="username" required maxLength={64} autocomplete="off" />
        </label>
        <label>
          Name
          <input type="text" name="name" maxLength={200} autocomplete="off" />
        </label>
        <RoleBoxes roles={[]} />
        <label>
          Partners (comma-separated ids; empty: every partner)
          <input type="text" name="partners" maxLength={2000} autocomplete="off" />
        </label>
        <label>
          Initial password (at least 12 characters; tell the user by another channel)
          <input
            type="password"
            name="password"
            required
            minLength={12}
            maxLength={256}
            autocomplete="new-password"
          />
        </label>
        <p>
          <button type="submit" class="primary">
            Add user
          </button>
        </p>
      </PostForm>
    </>
  );
}

function RoleBoxes({ roles }: { roles: readonly string[] }) {
  return (
    <fieldset>
      <legend>Roles</legend>
      {USER_ROLES.map((r) => (
        <label class="inline">
          <input type="checkbox" name="roles" value={r} checked={roles.includes(r)} /> {r}
        </label>
      ))}
    </fieldset>
  );
}

export function UserDetail(p: { u: UserView; csrf: string; self: string }) {
  const { u } = p;
  const base = `/console/users/${encodeURIComponent(u.username)}`;
  const self = u.username === p.self;
  return (
    <>
      <h1>{`User ${u.username}`}</h1>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{u.name ?? ''}</dd>
        <dt>Roles</dt>
        <dd id="roles">{u.roles.join(', ')}</dd>
        <dt>Partners</dt>
        <dd id="partners">{u.partners ? u.partners.join(', ') : 'all'}</dd>
        <dt>State</dt>
        <dd>{u.disabled ? 'disabled' : 'active'}</dd>
        <dt>Created</dt>
        <dd>{u.createdAt.slice(0, 16).replace('T', ' ')}</dd>
        <dt>Password set</dt>
        <dd>{u.passwordChangedAt.slice(0, 16).replace('T', ' ')}</dd>
        <dt>Last sign-in</dt>
        <dd>{u.lastSignInAt?.slice(0, 16).replace('T', ' ') ?? 'never'}</dd>
      </dl>
      <h2>Roles and partners</h2>
      <PostForm action={`${base}/roles`} csrf={p.csrf} class="stack" id="roles-form">
        <RoleBoxes roles={u.roles} />
        <label>
          Partners (comma-separated ids; empty: every partner)
          <input
            type="text"
            name="partners"
            maxLength={2000}
            value={u.partners?.join(', ') ?? ''}
            autocomplete="off"
          />
        </label>
        <p>
          <button type="submit" class="primary">
            Save roles
          </button>
        </p>
      </PostForm>
      {self ? (
        <p>
          <a href="/console/password">Change your own password</a>
        </p>
      ) : (
        <>
          <h2>New password</h2>
          <PostForm action={`${base}/password`} csrf={p.csrf} class="stack" id="password-form">
            <label>
              New password (at least 12 characters; the user's sessions end)
              <input
                type="password"
                name="password"
                required
                minLength={12}
                maxLength={256}
                autocomplete="new-password"
              />
            </label>
            <p>
              <button type="submit" class="primary">
                Set password
              </button>
            </p>
          </PostForm>
          <PostForm action={`${base}/${u.disabled ? 'enable' : 'disable'}`} csrf={p.csrf} class="inline">
            <button type="submit" class={u.disabled ? '' : 'danger'} id="toggle">
              {u.disabled ? 'Enable this user' : 'Disable this user'}
            </button>
          </PostForm>
        </>
      )}
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
