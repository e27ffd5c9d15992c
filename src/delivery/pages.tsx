/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Deliveries screen (`/console/deliveries`, admins and operators): every outbound
 * delivery filtered by partner, state and date, sorted and paged; one delivery with its attempts;
 * retry now, cancel, and the dead letters' bulk retry. Each action is a CSRF-checked form that calls
 * a use case (src/delivery/operator.ts), which writes the audit log.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import { mayOperate } from '../console/access';
import type { ConsoleScreen, ScreenKit } from '../console/screens';
import { AppError, notFound } from '../platform/errors';
import { pagingFrom, sendPage } from '../platform/pages';
import { DELIVERY_SORTS, DELIVERY_STATES, type DeliveryFilter } from './queries';
import { deliveryUseCases } from './use-cases';
import { DELIVERIES_PER_PAGE, DeliveryList, DeliveryPage } from './views';

const day = z.union([z.literal(''), z.iso.date()]).optional();
const filters = z.object({
  partner: z.string().trim().max(100).optional(),
  state: z.union([z.literal(''), z.enum(DELIVERY_STATES)]).optional(),
  from: day,
  to: day,
  sort: z.union([z.literal(''), z.enum(DELIVERY_SORTS)]).optional(),
});

/** The filter of a query string or form (empty fields dropped); a bad value is a 400. */
function filterOf(input: unknown): DeliveryFilter {
  const parsed = filters.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      'bad_request',
      `invalid filter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v));
}

const idOf = (req: Request) => String(req.params.id);

function listRoutes(r: Router, kit: ScreenKit): void {
  const uc = deliveryUseCases(kit.ctx);
  const operator = kit.needs(mayOperate, 'it is for admins and operators');
  r.get('/console/deliveries', operator, async (req, res) => {
    const f = filterOf(req.query);
    const paging = pagingFrom(req.query, { limit: DELIVERIES_PER_PAGE, maxLimit: 200 });
    const [{ rows, total }, dead, partners] = await Promise.all([
      uc.page(f, paging),
      uc.deadCount(f),
      uc.partners(),
    ]);
    sendPage(res, kit.chrome(req), {
      title: 'Deliveries',
      flash: await kit.flash(req),
      body: (
        <DeliveryList
          f={f}
          partners={partners}
          rows={rows}
          total={total}
          dead={dead}
          paging={paging}
          csrf={kit.csrf(req)}
        />
      ),
    });
  });
  r.get('/console/deliveries/:id', operator, async (req, res) => {
    const d = await uc.detail(idOf(req));
    if (!d) throw notFound('delivery');
    sendPage(res, kit.chrome(req), {
      title: `Delivery ${d.id.slice(0, 8)}`,
      flash: await kit.flash(req),
      body: <DeliveryPage d={d} csrf={kit.csrf(req)} />,
    });
  });
}

function actionRoutes(r: Router, kit: ScreenKit): void {
  const uc = deliveryUseCases(kit.ctx);
  const operator = kit.needs(mayOperate, 'it is for admins and operators');
  const guards = [kit.form, operator, kit.checkCsrf];
  r.post('/console/deliveries/retry-dead', ...guards, async (req, res) => {
    const { partner, from, to } = filterOf(req.body);
    const f = { partner, from, to };
    const { retried } = await uc.retryDead(f, kit.audit(req));
    const back = `/console/deliveries?${new URLSearchParams(
      Object.entries(f).filter((e): e is [string, string] => !!e[1]),
    ).toString()}`;
    await kit.done(req, res, `${retried} dead letter${retried === 1 ? '' : 's'} queued again.`, back);
  });
  r.post('/console/deliveries/:id/retry', ...guards, async (req, res) => {
    const { url } = await uc.retry(idOf(req), kit.audit(req));
    await kit.done(req, res, `Delivery queued again to ${url}.`, `/console/deliveries/${idOf(req)}`);
  });
  r.post('/console/deliveries/:id/cancel', ...guards, async (req, res) => {
    await uc.cancel(idOf(req), kit.audit(req));
    await kit.done(req, res, 'Delivery cancelled.', `/console/deliveries/${idOf(req)}`);
  });
}

export const deliveriesScreen: ConsoleScreen = {
  tile: { href: '/console/deliveries', label: 'Deliveries', id: 'to-deliveries', may: mayOperate },
  routes(r, kit) {
    listRoutes(r, kit);
    actionRoutes(r, kit);
  },
};
