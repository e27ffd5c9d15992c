/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Partners screen (`/console/partners`, admins and operators): the list; creating and
 * editing a partner with every field of the contract, validated as the API validates (errors beside
 * their fields, status 422); rotating its secrets and issuing or revoking API keys (a new secret or
 * key is on the POST's answer only); testing the connection to its outbound URL. Each action is a
 * CSRF-checked form that calls a use case of src/partners/console.ts, which writes the audit log.
 */
import express, { type Request, type Response, type Router } from 'express';
import { mayOperate } from '../console/access';
import type { ConsoleScreen, ScreenKit } from '../console/screens';
import { AppError } from '../platform/errors';
import { sendPage } from '../platform/pages';
import { partnerConsole, ROTATABLE, type Rotatable } from './console';
import type { FormErrors } from './form';
import { NewPartner, PartnerList, PartnerPage, type Notice } from './views';

/** The partner form has a field per contract field: more than the kit's 30. */
const partnerForm = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

const idOf = (req: Request) => String(req.params.id);
const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const pathOf = (id: string) => `/console/partners/${encodeURIComponent(id)}`;

/** Renders one partner's page (with what a POST just produced, or the form's errors). */
async function showPartner(
  kit: ScreenKit,
  req: Request,
  res: Response,
  extra: { notice?: Notice; errors?: FormErrors; values?: Record<string, string>; status?: number } = {},
) {
  const { row, values, keys } = await partnerConsole(kit.ctx).get(idOf(req));
  sendPage(res, kit.chrome(req), {
    status: extra.status ?? 200,
    title: `Partner ${row.id}`,
    flash: extra.notice || extra.errors ? [] : await kit.flash(req),
    body: (
      <PartnerPage
        partner={row}
        keys={keys}
        values={extra.values ?? values}
        csrf={kit.csrf(req)}
        notice={extra.notice}
        errors={extra.errors}
      />
    ),
  });
}

function pageRoutes(r: Router, kit: ScreenKit): void {
  const uc = partnerConsole(kit.ctx);
  const operator = kit.needs(mayOperate, 'partner settings are for admins and operators');
  r.get('/console/partners', operator, async (req, res) => {
    sendPage(res, kit.chrome(req), {
      title: 'Partners',
      flash: await kit.flash(req),
      body: <PartnerList partners={await uc.list()} />,
    });
  });
  r.get('/console/partners/new', operator, (req, res) => {
    sendPage(res, kit.chrome(req), {
      title: 'New partner',
      body: <NewPartner csrf={kit.csrf(req)} values={{ currency: 'USD' }} />,
    });
  });
  r.get('/console/partners/:id', operator, (req, res) => showPartner(kit, req, res));
}

function saveRoutes(r: Router, kit: ScreenKit): void {
  const uc = partnerConsole(kit.ctx);
  const operator = kit.needs(mayOperate, 'partner settings are for admins and operators');
  const guards = [partnerForm, operator, kit.checkCsrf];
  r.post('/console/partners', ...guards, async (req, res) => {
    const out = await uc.save(bodyOf(req), undefined, kit.audit(req));
    if (out.ok) return kit.done(req, res, `Partner ${out.partner.id} created.`, pathOf(out.partner.id));
    sendPage(res, kit.chrome(req), {
      status: 422,
      title: 'New partner',
      body: <NewPartner csrf={kit.csrf(req)} values={out.values} errors={out.errors} />,
    });
  });
  r.post('/console/partners/:id', ...guards, async (req, res) => {
    const out = await uc.save(bodyOf(req), idOf(req), kit.audit(req));
    if (out.ok) return kit.done(req, res, `Partner ${out.partner.id} saved.`, pathOf(out.partner.id));
    await showPartner(kit, req, res, { status: 422, errors: out.errors, values: out.values });
  });
}

function credentialRoutes(r: Router, kit: ScreenKit): void {
  const uc = partnerConsole(kit.ctx);
  const operator = kit.needs(mayOperate, 'partner settings are for admins and operators');
  const guards = [kit.form, operator, kit.checkCsrf];
  r.post('/console/partners/:id/rotate', ...guards, async (req, res) => {
    const which = String(bodyOf(req).which) as Rotatable;
    if (!ROTATABLE.includes(which)) throw new AppError('bad_request', 'no such secret');
    const { secret } = await uc.rotate(idOf(req), which, kit.audit(req));
    await showPartner(kit, req, res, { notice: { kind: 'secret', which, secret } });
  });
  r.post('/console/partners/:id/keys', ...guards, async (req, res) => {
    const role = bodyOf(req).role;
    if (role !== 'erp' && role !== 'finance')
      throw new AppError('bad_request', 'role must be erp or finance');
    const { key } = await uc.createKey(idOf(req), role, kit.audit(req));
    await showPartner(kit, req, res, { notice: { kind: 'key', role, key } });
  });
  r.post('/console/partners/:id/keys/:keyId/revoke', ...guards, async (req, res) => {
    const key = await uc.revokeKey(idOf(req), String(req.params.keyId), kit.audit(req));
    await kit.done(req, res, `API key ${key.prefix}… revoked.`, pathOf(idOf(req)));
  });
  r.post('/console/partners/:id/test', ...guards, async (req, res) => {
    const result = await uc.test(idOf(req), kit.audit(req));
    await showPartner(kit, req, res, { notice: { kind: 'ping', result } });
  });
}

export const partnersScreen: ConsoleScreen = {
  tile: { href: '/console/partners', label: 'Partners', id: 'to-partners', may: mayOperate },
  routes(r, kit) {
    pageRoutes(r, kit);
    saveRoutes(r, kit);
    credentialRoutes(r, kit);
  },
};
