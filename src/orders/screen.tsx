/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Orders screen (admins and operators): the orders with filters and paging, one
 * order with its lines, history, documents and invoices, and the hand actions of the API: confirm
 * or reject, record a shipment (the ship notice goes out), invoice what shipped, credit an invoice.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { mayOperate } from '../console/access';
import { field } from '../console/form';
import { refusedGoesBack, type ConsoleScreen, type ScreenKit } from '../console/screens';
import { ORDER_STATES } from '../model/order-state';
import { AppError } from '../platform/errors';
import { pagingFrom, sendPage } from '../platform/pages';
import { orderConsole } from './console-actions';
import type { ShipmentInput } from './record-shipment';
import { OrderList, OrderPage, ORDERS_PER_PAGE, type OrderListFilter } from './console-views';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'a date YYYY-MM-DD');
const filters = z.object({
  partner: z.string().max(100).optional(),
  state: z.enum(['', ...ORDER_STATES]).optional(),
  po: z.string().max(100).optional(),
  from: z.union([z.literal(''), day]).optional(),
  to: z.union([z.literal(''), day]).optional(),
});

/** Errors that refuse an action (the order is as it was): shown as a flash on the order. */

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
/** A form field, trimmed (absent: ''). */
const text = (req: Request, name: string) => field(req, name).trim();
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();

export const orderScreen: ConsoleScreen = {
  tile: { href: '/console/orders', label: 'Orders', id: 'to-orders', may: mayOperate },
  routes(r, kit) {
    const uc = orderConsole(kit.ctx);
    const operator = kit.needs(mayOperate, 'it is for operators');
    r.get('/console/orders', operator, async (req, res) => {
      const parsed = filters.safeParse(req.query);
      if (!parsed.success)
        throw new AppError('bad_request', 'invalid filter: partner, state, po, from or to');
      // Empty fields are no filter.
      const f = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v)) as OrderListFilter;
      const paging = pagingFrom(req.query, { limit: ORDERS_PER_PAGE, maxLimit: 200 });
      const page = await uc.list({
        ...(f.partner ? { partnerId: f.partner } : {}),
        ...(f.state ? { status: f.state } : {}),
        ...(f.po ? { buyerOrderNumber: f.po } : {}),
        ...(f.from ? { from: `${f.from}T00:00:00Z` } : {}),
        ...(f.to ? { to: nextDay(f.to) } : {}),
        ...paging,
      });
      sendPage(res, kit.chrome(req), {
        title: 'Orders',
        body: <OrderList f={f} items={page.items} total={page.total} paging={paging} />,
      });
    });
    r.get('/console/orders/:id', operator, async (req, res) => {
      const { order, invoices } = await uc.detail(String(req.params.id));
      sendPage(res, kit.chrome(req), {
        title: `Order ${order.buyerOrderNumber}`,
        flash: await kit.flash(req),
        body: (
          <OrderPage
            o={order}
            invoices={invoices}
            csrf={kit.csrf(req)}
            today={kit.ctx.now().toISOString().slice(0, 10)}
          />
        ),
      });
    });
    actionRoutes(r, kit, operator);
  },
};

/** The shipment the form describes: the lines given a quantity, the date, carrier and tracking. */
function shipmentFromForm(req: Request): ShipmentInput {
  const lines = Object.entries(body(req))
    .filter(([k]) => /^line-\d+$/.test(k))
    .map(([k, v]) => ({ lineNumber: Number(k.slice(5)), quantity: typeof v === 'string' ? v.trim() : '' }))
    .filter((l) => l.quantity !== '' && l.quantity !== '0');
  if (!lines.length)
    throw new AppError('validation_failed', 'give the quantity shipped of at least one line');
  for (const l of lines)
    if (!/^\d+(\.\d+)?$/.test(l.quantity))
      throw new AppError(
        'validation_failed',
        `line ${l.lineNumber}: quantity "${l.quantity}" is not a number such as 3 or 2.5`,
      );
  const shippedOn = text(req, 'shippedOn');
  if (!/^\d{4}-\d\d-\d\d$/.test(shippedOn))
    throw new AppError('validation_failed', 'shipped on: a date YYYY-MM-DD');
  const carrier = text(req, 'carrier');
  const trackingNumber = text(req, 'trackingNumber');
  return {
    shippedAt: `${shippedOn}T12:00:00Z`,
    lines,
    ...(carrier ? { carrier } : {}),
    ...(trackingNumber ? { trackingNumber } : {}),
  };
}

const back = (req: Request) => `/console/orders/${String(req.params.id)}`;

function actionRoutes(
  r: Parameters<ConsoleScreen['routes']>[0],
  kit: ScreenKit,
  operator: ReturnType<ScreenKit['needs']>,
) {
  const uc = orderConsole(kit.ctx);
  const guard = [kit.form, operator, kit.checkCsrf];
  const act = refusedGoesBack(kit, back);
  r.post(
    '/console/orders/:id/decide',
    ...guard,
    act(async (req, res) => {
      const decision = text(req, 'decision');
      if (decision !== 'confirm' && decision !== 'reject')
        throw new AppError('bad_request', 'decision: confirm or reject');
      const out = await uc.decide(
        String(req.params.id),
        decision,
        text(req, 'reason') || undefined,
        kit.audit(req),
      );
      const sent = out.confirmation ? ' The buyer is sent its confirmation.' : '';
      await kit.done(
        req,
        res,
        `Order ${decision === 'confirm' ? 'confirmed' : 'rejected'}.${sent}`,
        back(req),
      );
    }),
  );
  r.post(
    '/console/orders/:id/ship',
    ...guard,
    act(async (req, res) => {
      const out = await uc.ship(String(req.params.id), shipmentFromForm(req), kit.audit(req));
      const sent = out.sent ? ' The ship notice is on its way to the buyer.' : '';
      await kit.done(
        req,
        res,
        `Shipment ${out.shipment.shipmentId} recorded${out.complete ? ' (order complete)' : ''}.${sent}`,
        back(req),
      );
    }),
  );
  r.post(
    '/console/orders/:id/invoice',
    ...guard,
    act(async (req, res) => {
      const inv = await uc.invoice(String(req.params.id), kit.audit(req));
      await kit.done(req, res, `Invoice ${inv.invoice_number} created and queued to the buyer.`, back(req));
    }),
  );
  r.post(
    '/console/orders/:id/invoices/:invoiceId/credit',
    ...guard,
    act(async (req, res) => {
      const reason = text(req, 'reason');
      if (!reason) throw new AppError('validation_failed', 'a credit memo needs a reason');
      const memo = await uc.credit(
        String(req.params.id),
        String(req.params.invoiceId),
        reason,
        kit.audit(req),
      );
      await kit.done(
        req,
        res,
        `Credit memo ${memo.invoice_number} created and queued to the buyer.`,
        back(req),
      );
    }),
  );
}
