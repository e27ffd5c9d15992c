/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's user pages: the users list with the add form, and one user's page. */
import { PostForm } from '../platform/pages';
import { USER_ROLES, type UserView } from './users';

/** The users as a table, each with a disable/enable button (not for oneself). */
function UserTable(p: { users: UserView[]; csrf: string; self: string }) {
  return (
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
  );
}

/** The form that adds a user with an initial password. */
function AddUser({ csrf }: { csrf: string }) {
  return (
    <>
      <h2>Add a user</h2>
      <PostForm action="/console/users" csrf={csrf} class="stack" id="add-user">
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

/** The users page: the table and the form that adds one. */
export function UserList(p: { users: UserView[]; csrf: string; self: string }) {
  return (
    <>
      <h1>Users</h1>
      <UserTable users={p.users} csrf={p.csrf} self={p.self} />
      <AddUser csrf={p.csrf} />
    </>
  );
}

/** A checkbox per role, those given checked. */
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

/** One user's page: disable or enable, roles and partners, a new password. */
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
