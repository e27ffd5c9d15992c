/** The dashboard of the console at the context's now. */
import type { AppContext } from '../platform/context';
import { dashboard } from './dashboard';

export const dashboardOf = (ctx: AppContext) => dashboard(ctx.db, ctx.now());
