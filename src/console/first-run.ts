/**
 * Embedded mode's first run: with no DATABASE_URL and no console user yet, `npm start` creates the
 * account `admin` (role admin) with a generated password, which it prints once to the terminal
 * (never to the log); only its scrypt hash is stored. With DATABASE_URL nobody is created: the
 * operator runs `gateway users add NAME --roles admin`.
 */
import type { AppContext } from '../platform/context';
import { countUsers, createUser, generatePassword } from './users';

export const FIRST_ADMIN = 'admin';

/** Creates the first admin when due; its password, or undefined when nothing was created. */
export async function ensureFirstAdmin(
  ctx: Pick<AppContext, 'config' | 'db' | 'now'>,
): Promise<string | undefined> {
  if (ctx.config.DATABASE_URL) return undefined;
  if ((await countUsers(ctx.db)) > 0) return undefined;
  const password = generatePassword();
  await createUser(ctx.db, { username: FIRST_ADMIN, name: 'First admin', roles: ['admin'] }, password, {
    actor: { label: 'system:first-run' },
    now: ctx.now(),
  });
  return password;
}
