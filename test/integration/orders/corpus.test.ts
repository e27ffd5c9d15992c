/**
 * Every OrderRequest of the shared cXML corpus, sent to POST /cxml with the test partner's credentials in
 * place of the sample's Header (the partner accepts unknown SKUs and flags them, since the samples'
 * SKUs are not in our catalog). Each is accepted and its stored canonical order and flags match the
 * reviewed golden JSON in fixtures/orders/golden/ (rewrite with UPDATE_GOLDEN=1, review the diff), or
 * the exact refusal is recorded there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateCxml } from '../../helpers/xmllint';
import { headerXml, postCxml, setupOrders, statusOf, type OrdersEnv } from './helpers';

const CORPUS = path.resolve(__dirname, '../../../fixtures/cxml/corpus');
const GOLDEN = path.resolve(__dirname, '../../../fixtures/orders/golden');

function listXml(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? listXml(full) : name.endsWith('.xml') ? [full] : [];
    });
}

const orderRequests = listXml(CORPUS).filter((f) => /<OrderRequest[\s>]/.test(readFileSync(f, 'utf8')));

let t: OrdersEnv;
beforeAll(async () => {
  t = await setupOrders({ start: false, partner: { orders: { unknownSku: 'flag' } } });
});
afterAll(async () => {
  await t.env.close();
});

it('finds the corpus OrderRequests', () => {
  expect(orderRequests.length).toBeGreaterThanOrEqual(5);
});

describe.each(orderRequests.map((f) => [path.relative(CORPUS, f), f]))('%s', (name, file) => {
  it('is accepted and stored as the golden canonical order, or refused for the recorded reason', async () => {
    const xml = readFileSync(file, 'utf8').replace(/<Header>[\s\S]*?<\/Header>/, headerXml());
    const res = await postCxml(t.app, xml);
    expect(validateCxml(res.text)).toEqual({ ok: true, errors: '' });
    const status = statusOf(res.text);
    let actual: unknown;
    if (res.status === 200) {
      const payloadId = /payloadID="([^"]+)"/.exec(xml)![1];
      const doc = await t.env.db('documents').where({ external_id: payloadId, direction: 'in' }).first();
      const order = await t.env.db('orders').where({ id: doc.order_id }).first();
      actual = { accepted: { state: order.state, flags: order.flags, order: order.canonical } };
    } else {
      actual = { refused: { status: res.status, message: status.message } };
    }
    const golden = path.join(GOLDEN, name.replace(/\.xml$/, '.json'));
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      if (process.env.UPDATE_GOLDEN !== '1')
        throw new Error(`no golden ${golden} (run with UPDATE_GOLDEN=1 and review)`);
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
