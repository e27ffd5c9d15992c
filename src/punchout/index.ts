/**
 * Punchout: cXML PunchOutSetupRequest/ProfileRequest handlers (registered with the /cxml endpoint),
 * OCI login (/oci) and the shopping pages (/punchout/...).
 */
import { Router } from 'express';
import type { AppContext } from '../platform/context';
import { ociRoutes } from './oci';
import { punchoutPages } from './pages';

export function punchoutRoutes(ctx: AppContext): Router {
  const r = Router();
  r.use(ociRoutes(ctx));
  r.use(punchoutPages(ctx));
  return r;
}
