/**
 * The console's use cases bound to one context, for its pages and the users API: console users
 * (list, create, password, disable, enable, roles), the audit log's page, the first-run check.
 */
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { auditPage } from './audit';
import {
  anyoneSignedIn,
  createUser,
  disableUser,
  enableUser,
  listUsers,
  setPassword,
  setRoles,
} from './users';

export function consoleUseCases(ctx: Pick<AppContext, 'db'>) {
  const bind =
    <A extends unknown[], R>(f: (q: Q, ...a: A) => R) =>
    (...a: A): R =>
      f(ctx.db, ...a);
  return {
    listUsers: bind(listUsers),
    createUser: bind(createUser),
    setPassword: bind(setPassword),
    disableUser: bind(disableUser),
    enableUser: bind(enableUser),
    setRoles: bind(setRoles),
    auditPage: bind(auditPage),
    anyoneSignedIn: bind(anyoneSignedIn),
  };
}
