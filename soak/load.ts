/**
 * The soak's load process (spawned by soak/run.ts): scenarios for several partners against two
 * servers, each step retried (on the other server too) until it gets a definite answer, so the
 * acknowledged history of every order is known. Writes what was acknowledged to SOAK_OUT as JSON.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { keepAliveAgent, send, type BenchRequest } from '../bench/http-client';

export interface LoadPartner {
  id: string;
  protocol: 'cxml' | 'x12' | 'json';
  identity: string;
  secret: string;
  erpKey: string;
}

export interface LoadConfig {
  ports: number[];
  seconds: number;
  concurrency: number;
  adminToken: string;
  partners: LoadPartner[];
  out: string;
}

/** One order's acknowledged history; `expected` is the state its rules give after the quiet. */
export interface OrderRecord {
  partner: string;
  protocol: LoadPartner['protocol'];
  number: string;
  steps: string[];
  expected: string | null;
  /** Keys of the inbound documents acknowledged with 2xx (payloadID, ISA13, Idempotency-Key). */
  acked: string[];
  /** Keys answered with a definite refusal. */
  refused: string[];
}

export interface LoadResult {
  orders: OrderRecord[];
  punchouts: { partner: string; payloadId: string }[];
  requests: number;
  retries: number;
  undecided: number;
  undecidedRequests: string[];
}

const config = JSON.parse(process.env.SOAK_LOAD_CONFIG ?? '{}') as LoadConfig;
const agent = keepAliveAgent(64);
const run = randomBytes(3).toString('hex');
const result: LoadResult = {
  orders: [],
  punchouts: [],
  requests: 0,
  retries: 0,
  undecided: 0,
  undecidedRequests: [],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
let seq = 0;

/**
 * Sends until a definite answer: 2xx, or 4xx other than 429. Connection errors, 5xx and 429 are
 * retried on a random server for up to 90 s; `undefined` if it never got one.
 */
async function definite(r: BenchRequest, ok: (status: number, text: string) => boolean) {
  const until = Date.now() + 90000;
  let first = true;
  let last = 'nothing';
  while (Date.now() < until) {
    if (!first) result.retries++;
    first = false;
    result.requests++;
    try {
      const a = await send(agent, pick(config.ports), r);
      last = `${a.status} ${a.text.slice(0, 200)}`;
      if (ok(a.status, a.text) || (a.status >= 400 && a.status < 500 && a.status !== 429)) return a;
    } catch (err) {
      // The server was killed or restarted: try again.
      last = String(err);
    }
    await sleep(100 + Math.random() * 400);
  }
  result.undecided++;
  result.undecidedRequests.push(`${r.method} ${r.path}: last ${last}`);
  return undefined;
}

const cxmlStatus = (text: string) => Number(/<Status code="(\d+)"/.exec(text)?.[1] ?? 0);
const cxmlOk = (status: number, text: string) => status >= 200 && status < 300 && cxmlStatus(text) < 300;
const httpOk = (status: number) => status >= 200 && status < 300;

function header(p: LoadPartner): string {
  return `<Header>
    <From><Credential domain="NetworkID"><Identity>${p.identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>${p.identity}</Identity><SharedSecret>${p.secret}</SharedSecret></Credential><UserAgent>soak</UserAgent></Sender>
  </Header>`;
}

interface Line {
  sku: string;
  quantity: string;
  price: string;
  uom: string;
}
const SMALL: Line[] = [
  { sku: 'PEN-BLU-12', quantity: '10', price: '4.50', uom: 'BX' },
  { sku: 'PAP-A4-500', quantity: '2', price: '5.20', uom: 'RM' },
];
/** Above the contract's 5000 USD auto-approval limit: waits for an approver. */
const LARGE: Line[] = [{ sku: 'PEN-BLU-12', quantity: '1200', price: '4.50', uom: 'BX' }];
const total = (lines: Line[]) =>
  (lines.reduce((s, l) => s + Math.round(Number(l.quantity) * Number(l.price) * 100), 0) / 100).toFixed(2);

function cxmlOrder(
  p: LoadPartner,
  payloadId: string,
  number: string,
  type: string,
  lines: Line[],
  version = 1,
) {
  const items = lines
    .map(
      (l, i) => `<ItemOut quantity="${l.quantity}" lineNumber="${i + 1}">
        <ItemID><SupplierPartID>${l.sku}</SupplierPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="USD">${l.price}</Money></UnitPrice><Description xml:lang="en">${l.sku}</Description><UnitOfMeasure>${l.uom}</UnitOfMeasure></ItemDetail>
      </ItemOut>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00+00:00" xml:lang="en-US">
  ${header(p)}
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${number}" orderDate="2026-11-23T09:00:00+00:00" type="${type}"${version > 1 ? ` orderVersion="${version}"` : ''}>
        <Total><Money currency="USD">${total(lines)}</Money></Total>
        <ShipTo><Address addressID="HQ"><Name xml:lang="en">Acme HQ</Name><PostalAddress><Street>1 Main St</Street><City>Springfield</City><PostalCode>12345</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress></Address></ShipTo>
      </OrderRequestHeader>
      ${items}
    </OrderRequest>
  </Request>
</cXML>`;
}

function punchoutSetup(p: LoadPartner, payloadId: string) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00+00:00" xml:lang="en-US">
${header(p)}
<Request><PunchOutSetupRequest operation="create"><BuyerCookie>${payloadId}</BuyerCookie>
<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
<Contact role="endUser"><Name xml:lang="en">Jane Buyer</Name><Email>jane@buyer.example</Email></Contact>
<SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
</PunchOutSetupRequest></Request></cXML>`;
}

function x12Order(p: LoadPartner, isa13: string, number: string, purpose: '00' | '01', lines: Line[]) {
  const po1 = lines.map((l, i) => `PO1*${i + 1}*${l.quantity}*${l.uom}*${l.price}**VP*${l.sku}`);
  const body = [
    `BEG*${purpose}*SA*${number}**20261120`,
    'CUR*BY*USD',
    'N1*ST*Acme Receiving*92*DOCK-1',
    'N3*1 Main St',
    'N4*Springfield*IL*62701*US',
    ...po1,
    `CTT*${lines.length}`,
  ];
  const gs = String(Number(isa13));
  return [
    `ISA*00*          *00*          *ZZ*${p.identity.padEnd(15)}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
    `GS*PO*${p.identity}*SUPPLIERDEMO*20261120*1200*${gs}*X*004010`,
    'ST*850*0001',
    ...body,
    `SE*${body.length + 2}*0001`,
    `GE*1*${gs}`,
    `IEA*1*${isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

function jsonOrder(number: string, type: string, lines: Line[]) {
  return JSON.stringify({
    type,
    buyerOrderNumber: number,
    orderDate: '2026-11-23T09:00:00Z',
    currency: 'USD',
    total: total(lines),
    shipTo: { name: 'Acme HQ', address: { street: ['1 Main St'], city: 'Springfield', countryCode: 'US' } },
    lines: lines.map((l, i) => ({
      lineNumber: i + 1,
      supplierPartId: l.sku,
      quantity: l.quantity,
      unitOfMeasure: l.uom,
      unitPrice: l.price,
    })),
  });
}

let isaCounter = 100000000 + Math.floor(Math.random() * 100000000);

/** Sends one order document of the partner's protocol; true when acknowledged. */
async function orderDoc(
  p: LoadPartner,
  rec: OrderRecord,
  type: 'new' | 'update' | 'cancel',
  lines: Line[],
  resend: boolean,
) {
  let key: string;
  let r: BenchRequest;
  let ok: (status: number, text: string) => boolean;
  if (p.protocol === 'cxml') {
    key = `${rec.number}.${type}.${seq++}@soak`;
    const t = type === 'cancel' ? 'delete' : type;
    r = {
      method: 'POST',
      path: '/cxml',
      headers: { 'content-type': 'text/xml' },
      body: cxmlOrder(p, key, rec.number, t, lines, type === 'update' ? 2 : 1),
    };
    ok = cxmlOk;
  } else if (p.protocol === 'x12') {
    key = String(isaCounter++).padStart(9, '0');
    r = {
      method: 'POST',
      path: '/edi/x12',
      headers: { 'content-type': 'application/edi-x12', authorization: `Bearer ${p.erpKey}` },
      body: x12Order(p, key, rec.number, type === 'cancel' ? '01' : '00', lines),
    };
    ok = (s, text) => httpOk(s) && !/AK[59]\*R/.test(text);
  } else {
    key = `${rec.number}-${type}-${seq++}`;
    r = {
      method: 'POST',
      path: '/api/v1/orders',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${p.erpKey}`,
        'idempotency-key': key,
      },
      body: jsonOrder(rec.number, type, lines),
    };
    ok = httpOk;
  }
  const a = await definite(r, ok);
  if (!a) return undefined;
  const accepted = ok(a.status, a.text);
  (accepted ? rec.acked : rec.refused).push(key);
  if (accepted && resend) {
    // The same document again (a buyer that did not see the answer): the same answer, no new effect.
    const b = await definite(r, ok);
    if (b && !ok(b.status, b.text)) rec.refused.push(`${key} (resend answered ${b.status})`);
  }
  return accepted;
}

const admin = () => ({ authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' });

async function findOrder(p: LoadPartner, number: string) {
  const a = await definite(
    {
      method: 'GET',
      path: `/api/v1/orders?partnerId=${p.id}&buyerOrderNumber=${encodeURIComponent(number)}`,
      headers: admin(),
    },
    httpOk,
  );
  if (!a || !httpOk(a.status)) return undefined;
  return (JSON.parse(a.text) as { items: { id: string; state: string }[] }).items[0];
}

async function waitState(p: LoadPartner, number: string, state: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const o = await findOrder(p, number);
    if (o?.state === state) return o;
    await sleep(300);
  }
  return undefined;
}

async function scenario(p: LoadPartner): Promise<void> {
  const rec: OrderRecord = {
    partner: p.id,
    protocol: p.protocol,
    number: `SK-${run}-${seq++}`,
    steps: [],
    expected: null,
    acked: [],
    refused: [],
  };
  result.orders.push(rec);
  const roll = Math.random();
  const large = roll < 0.1;
  const step = async (name: string, f: () => Promise<boolean | undefined>) => {
    const ok = await f();
    rec.steps.push(`${name}:${ok === undefined ? 'undecided' : ok ? 'ok' : 'refused'}`);
    return ok;
  };
  const created = await step('new', () =>
    orderDoc(p, rec, 'new', large ? LARGE : SMALL, Math.random() < 0.3),
  );
  if (created === undefined) return;
  if (!created) {
    rec.expected = 'absent';
    return;
  }
  if (large) {
    rec.expected = 'pending_approval';
    return;
  }
  rec.expected = 'confirmed';
  if (roll < 0.25) {
    const ok = await step('cancel', () => orderDoc(p, rec, 'cancel', SMALL, Math.random() < 0.3));
    rec.expected = ok === undefined ? null : ok ? 'cancelled' : 'confirmed';
    return;
  }
  if (roll < 0.4 && p.protocol !== 'x12') {
    const lines = [{ ...SMALL[0]!, quantity: '12' }, SMALL[1]!];
    const ok = await step('update', () => orderDoc(p, rec, 'update', lines, Math.random() < 0.3));
    rec.expected = ok === undefined ? null : ok ? 'updated' : 'confirmed';
    return;
  }
  if (roll < 0.6) return;
  // Ship everything, then invoice it.
  const o = await waitState(p, rec.number, 'confirmed', 60000);
  if (!o) {
    rec.steps.push('not confirmed within 60 s');
    return;
  }
  const shipment = JSON.stringify({
    shipmentId: `${rec.number}-S1`,
    shippedAt: '2026-11-24T10:00:00Z',
    lines: SMALL.map((l, i) => ({ lineNumber: i + 1, quantity: l.quantity })),
  });
  const shipped = await step('ship', async () => {
    const a = await definite(
      { method: 'POST', path: `/api/v1/orders/${o.id}/shipments`, headers: admin(), body: shipment },
      httpOk,
    );
    if (!a) return undefined;
    // A retry after a lost answer is refused (nothing left to ship): the state tells.
    if (!httpOk(a.status)) rec.steps.push(`ship answered ${a.status} ${a.text.slice(0, 160)}`);
    return httpOk(a.status) || (await findOrder(p, rec.number))?.state === 'shipped';
  });
  if (shipped === undefined) {
    rec.expected = null;
    return;
  }
  rec.expected = shipped ? 'shipped' : 'confirmed';
  if (!shipped || Math.random() < 0.3) return;
  const invoiced = await step('invoice', async () => {
    const a = await definite(
      { method: 'POST', path: `/api/v1/orders/${o.id}/invoices`, headers: admin(), body: '{}' },
      httpOk,
    );
    if (!a) return undefined;
    if (!httpOk(a.status)) rec.steps.push(`invoice answered ${a.status} ${a.text.slice(0, 160)}`);
    return httpOk(a.status) || (await findOrder(p, rec.number))?.state === 'invoiced';
  });
  rec.expected = invoiced === undefined ? null : invoiced ? 'invoiced' : 'shipped';
}

async function punchout(p: LoadPartner) {
  const payloadId = `po-${run}-${seq++}@soak`;
  const a = await definite(
    {
      method: 'POST',
      path: '/cxml',
      headers: { 'content-type': 'text/xml' },
      body: punchoutSetup(p, payloadId),
    },
    cxmlOk,
  );
  if (a && cxmlOk(a.status, a.text)) result.punchouts.push({ partner: p.id, payloadId });
}

async function main() {
  const until = Date.now() + config.seconds * 1000;
  const cxmlPartners = config.partners.filter((p) => p.protocol === 'cxml');
  await Promise.all(
    Array.from({ length: config.concurrency }, async () => {
      while (Date.now() < until) {
        if (Math.random() < 0.15) await punchout(pick(cxmlPartners));
        else await scenario(pick(config.partners));
      }
    }),
  );
  writeFileSync(config.out, JSON.stringify(result));
  agent.destroy();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
