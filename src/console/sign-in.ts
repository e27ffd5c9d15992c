/**
 * Console sign-in with username and password: failed attempts are counted per username and per
 * client address (CONSOLE_SIGNIN_FAILURES_PER_USER / _PER_ADDRESS within CONSOLE_SIGNIN_WINDOW_SECONDS);
 * over either limit the form is refused with 429 before any password is hashed, and says when to
 * try again. A success clears its username's count. Counts live in the process, like the API's.
 */
import { countRefusal } from '../alerts/refusals';
import type { Request } from 'express';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { SecretCheckBusyError } from '../platform/secrets';
import { FailureCounter } from '../platform/throttle';
import { writeAudit, auditContext } from './audit';
import { checkPassword, touchSignIn, usernameSchema, type UserView } from './users';

interface SignInThrottle {
  user: FailureCounter;
  address: FailureCounter;
}
const throttles = new WeakMap<Config, SignInThrottle>();

function throttleOf(config: Config): SignInThrottle {
  let t = throttles.get(config);
  if (!t) {
    const windowMs = config.CONSOLE_SIGNIN_WINDOW_SECONDS * 1000;
    t = {
      user: new FailureCounter(config.CONSOLE_SIGNIN_FAILURES_PER_USER, windowMs),
      address: new FailureCounter(config.CONSOLE_SIGNIN_FAILURES_PER_ADDRESS, windowMs),
    };
    throttles.set(config, t);
  }
  return t;
}

export type SignInOutcome =
  | { kind: 'ok'; user: UserView }
  | { kind: 'refused' }
  | { kind: 'blocked'; seconds: number; message: string };

const minutes = (s: number) => (s <= 60 ? `${s} seconds` : `${Math.ceil(s / 60)} minutes`);

/** Checks a sign-in attempt (rate limits first, then the password); refusals are audited. */
export async function attemptSignIn(
  ctx: { db: Db; config: Config; now: () => Date },
  req: Request,
  username: string,
  password: string,
): Promise<SignInOutcome> {
  const t = throttleOf(ctx.config);
  const name = usernameSchema.safeParse(username);
  const userKey = name.success ? name.data : username.trim().toLowerCase().slice(0, 100);
  const address = req.ip ?? '';
  const byAddress = t.address.blockedFor(address);
  if (byAddress > 0)
    return {
      kind: 'blocked',
      seconds: byAddress,
      message: `Too many failed sign-ins from your address. Try again in ${minutes(byAddress)}.`,
    };
  const byUser = t.user.blockedFor(userKey);
  if (byUser > 0)
    return {
      kind: 'blocked',
      seconds: byUser,
      message: `Too many failed sign-ins for ${userKey}. Try again in ${minutes(byUser)}, or ask an admin to set a new password.`,
    };
  let user: UserView | undefined;
  try {
    user = password ? await checkPassword(ctx.db, username, password) : undefined;
  } catch (err) {
    // More password checks wait than SECRET_VERIFY_QUEUE allows (a flood): nothing was checked.
    if (err instanceof SecretCheckBusyError)
      return {
        kind: 'blocked',
        seconds: 5,
        message: 'Too many sign-ins at once. Try again in a few seconds.',
      };
    throw err;
  }
  const now = ctx.now();
  if (!user) {
    t.address.fail(address);
    countRefusal(ctx.db, 'console');
    t.user.fail(userKey);
    await writeAudit(ctx.db, now, {
      actor: { label: `anonymous:${userKey}` },
      action: 'session.sign_in_refused',
      subject: `user:${userKey}`,
      ...auditContext(req),
    });
    return { kind: 'refused' };
  }
  t.user.clear(userKey);
  await touchSignIn(ctx.db, user.id, now);
  return { kind: 'ok', user };
}
