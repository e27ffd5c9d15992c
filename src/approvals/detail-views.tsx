/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The approval page for people: each flag in words with its evidence, the lines with the price they
 * were compared with, the addresses, the decisions taken on the order (who, when, the comment), the
 * partner's previous orders and the way to the previous and next pending approval. Money and dates
 * are written for the reader's locale (Accept-Language), from the stored decimal strings.
 */
import { dec, localDate, localMoney, localQuantity, type Party } from '../model';
import type { ApprovalView, OrderLineView } from './listing';
import type { ApprovalPageData } from './queries';
import type { LineEvidence, ReferencePrice } from './evidence';
import { FLAG_TITLES, flagTitle } from './flags';

type Data = ApprovalPageData;

export { FLAG_TITLES, flagTitle };

/** The flags of a list row, in words. */
export function FlagWords({ flags }: { flags: string[] }) {
  if (!flags.length) return <span class="muted">none</span>;
  return (
    <>
      {flags.map((f, i) => (
        <>
          {i ? ' ' : null}
          <span class="flag" data-flag={f}>
            {flagTitle(f)}
          </span>
        </>
      ))}
    </>
  );
}

function sourceWords(r: ReferencePrice, priceDate: string, locale: string): string {
  if (r.source === 'cart') return 'price the buyer saw in the punchout cart';
  const day = localDate(locale, priceDate);
  return r.source === 'price_list' ? `contract price on ${day}` : `catalog list price on ${day}`;
}

/** Ordered minus reference, with the percentage ("+$60.00 (+30.2 %)"); blank across currencies. */
function difference(locale: string, ordered: string, r: ReferencePrice, currency: string): string {
  if (r.currency.toUpperCase() !== currency.toUpperCase()) return `reference in ${r.currency}`;
  const diff = dec(ordered).minus(dec(r.unitPrice));
  const sign = diff.isPositive() && !diff.isZero() ? '+' : '';
  const money = `${sign}${localMoney(locale, diff.toFixed(), currency, { unitPrice: true })}`;
  if (dec(r.unitPrice).isZero()) return money;
  const pct = diff.div(dec(r.unitPrice)).times(100).toDecimalPlaces(1);
  return `${money} (${sign}${localQuantity(locale, pct.toFixed(1))} %)`;
}

export const deviates = (e: LineEvidence | undefined) =>
  !!e?.reference && !dec(e.reference.unitPrice).eq(dec(e.orderedUnitPrice));

/** A party written in full: name, deliver-to, street lines, city line, country. */
export function partyLines(p: Party | null | undefined): string[] {
  if (!p) return [];
  const a = p.address;
  const city = a ? [a.postalCode, a.city, a.state].filter((v) => v).join(' ') : '';
  return [
    p.name ?? a?.name ?? '',
    ...(p.deliverTo ?? []),
    ...(a?.street ?? []),
    city,
    a?.countryName ?? a?.countryCode ?? '',
  ].filter((l) => l !== '');
}

function PriceEvidence({ d, locale, currency }: { d: Data; locale: string; currency: string }) {
  const ev = d.evidence;
  const byLine = new Map(d.lines.map((l) => [l.lineNumber, l]));
  const rows = (ev?.lines ?? []).filter(deviates);
  if (!ev || !rows.length) return <p class="muted">No line differs from its reference price now.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>Item</th>
          <th class="num">Ordered at</th>
          <th class="num">Reference</th>
          <th>Reference is the</th>
          <th class="num">Difference</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => {
          const r = e.reference as ReferencePrice;
          return (
            <tr data-evidence-line={String(e.lineNumber)}>
              <td>{String(e.lineNumber)}</td>
              <td>{`${e.sku} ${byLine.get(e.lineNumber)?.description ?? ''}`.trim()}</td>
              <td class="num deviates">
                {localMoney(locale, e.orderedUnitPrice, currency, { unitPrice: true })}
              </td>
              <td class="num">{localMoney(locale, r.unitPrice, r.currency, { unitPrice: true })}</td>
              <td>{sourceWords(r, ev.priceDate, locale)}</td>
              <td class="num">{difference(locale, e.orderedUnitPrice, r, currency)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function TotalEvidence({ d, locale }: { d: Data; locale: string }) {
  const t = d.evidence?.total;
  if (!t || t.stated === null) return <p class="muted">The buyer sent no total.</p>;
  const diff = dec(t.stated).minus(dec(t.computed)).toFixed();
  return (
    <p>
      {'The buyer’s order says '}
      <strong id="stated-total">{localMoney(locale, t.stated, t.currency)}</strong>
      {'; its lines, tax and shipping add up to '}
      <strong id="computed-total">{localMoney(locale, t.computed, t.currency)}</strong>
      {` (a difference of ${localMoney(locale, diff, t.currency)}).`}
    </p>
  );
}

/** One flag: its title and the evidence behind it. */
function FlagEvidenceItem({
  flag,
  d,
  a,
  locale,
}: {
  flag: string;
  d: Data;
  a: ApprovalView;
  locale: string;
}) {
  const ev = d.evidence;
  let body;
  if (flag === 'price_deviation') body = <PriceEvidence d={d} locale={locale} currency={a.currency} />;
  else if (flag === 'total_mismatch') body = <TotalEvidence d={d} locale={locale} />;
  else if (flag === 'unknown_sku')
    body = (
      <p>
        {'Not in the catalog: '}
        <strong id="unknown-skus">{(ev?.unknownSkus ?? []).join(', ') || 'none any more'}</strong>
      </p>
    );
  else if (flag === 'new_ship_to')
    body = (
      <>
        <p>{`${d.partnerName} has not ordered to this address before:`}</p>
        <address id="new-ship-to">{partyLines(ev?.shipTo ?? d.order.shipTo).join('\n')}</address>
      </>
    );
  else if (flag === 'change_after_confirmation')
    body = <p>{`The buyer changed the order after it was confirmed; this is version ${a.orderVersion}.`}</p>;
  else if (flag === 'price_from_catalog')
    body = <p>Some lines came without a unit price and were priced from the contract or catalog.</p>;
  return (
    <li data-flag={flag}>
      <h3>{flagTitle(flag)}</h3>
      {body}
    </li>
  );
}

/** The evaluation's reason with its flag codes in words. */
const reasonWords = (reason: string) =>
  reason.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (code) =>
    FLAG_TITLES[code] ? flagTitle(code).toLowerCase() : code,
  );

export function WhyApproval({ a, d, locale }: { a: ApprovalView; d: Data; locale: string }) {
  return (
    <section aria-labelledby="why">
      <h2 id="why">Why it needs approval</h2>
      {d.reason ? <p class="muted">{`Rule: ${reasonWords(d.reason)}.`}</p> : null}
      {a.flags.length ? (
        <ul class="evidence" id="flags">
          {a.flags.map((f) => (
            <FlagEvidenceItem flag={f} d={d} a={a} locale={locale} />
          ))}
        </ul>
      ) : (
        <p id="flags">No intake flag: the amount is above the approval threshold.</p>
      )}
      {d.evidenceLive && a.flags.length ? (
        <p class="muted">
          This order was evaluated before evidence was kept: it is read from today’s catalog.
        </p>
      ) : null}
    </section>
  );
}

export function Lines({ d, a, locale }: { d: Data; a: ApprovalView; locale: string }) {
  const ev = new Map((d.evidence?.lines ?? []).map((e) => [e.lineNumber, e]));
  const cur = a.currency;
  return (
    <div class="scroll-x">
      <table id="lines">
        <thead>
          <tr>
            <th>#</th>
            <th>SKU</th>
            <th>Description</th>
            <th class="num">Quantity</th>
            <th class="num">Unit price</th>
            <th class="num">Reference price</th>
            <th class="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {d.lines.map((l: OrderLineView) => {
            const e = ev.get(l.lineNumber);
            const amount = dec(l.quantity).times(dec(l.unitPrice)).toFixed();
            return (
              <tr data-line={String(l.lineNumber)}>
                <td>{String(l.lineNumber)}</td>
                <td class="nowrap">{l.sku}</td>
                <td>{l.description ?? ''}</td>
                <td class="num">{`${localQuantity(locale, l.quantity)} ${l.uom}`}</td>
                <td class={deviates(e) ? 'num deviates' : 'num'}>
                  {localMoney(locale, l.unitPrice, cur, { unitPrice: true })}
                </td>
                <td class="num">
                  {e?.reference
                    ? localMoney(locale, e.reference.unitPrice, e.reference.currency, { unitPrice: true })
                    : '–'}
                </td>
                <td class="num">{localMoney(locale, amount, cur)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
