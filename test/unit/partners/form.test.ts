/**
 * The console's partner form is derived from the partner contract: every field of partnerInputSchema
 * has a form field, and a partner written into the form and read back is the same input (secrets
 * aside, which are never filled in); issues land on the field they belong to.
 */
import { examplePartner } from '../../helpers/partners';
import {
  fieldOfIssue,
  formValuesOf,
  inputOfForm,
  PARTNER_FIELDS,
  SECRET_FIELDS,
  validatePartnerForm,
} from '../../../src/partners/form';
import { partnerInputSchema } from '../../../src/partners/schema';

/** A partner using every section of the contract (AS2 aside: its certificates need a real one). */
const full = () =>
  examplePartner({
    outboundFormats: ['cxml', 'x12'],
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN01' }],
      sharedSecret: 'shared-secret-1',
      outboundUrl: 'https://buyer.example/cxml',
      cartReturn: 'cxml-base64',
      statusUpdates: ['confirmed', 'shipped'],
    },
    x12: {
      isaQualifier: 'ZZ',
      isaId: 'ACME',
      gsId: 'ACME',
      version: '005010',
      outboundUrl: 'https://buyer.example/x12',
      transport: 'sftp',
      ta1: true,
      missingUnitPrice: 'price-from-catalog',
      acceptTestInterchanges: false,
      ackWithinHours: 12.5,
      delimiters: { element: '*', component: ':', segment: '~' },
    },
    orders: { unknownSku: 'flag' },
    invoicing: {
      requireShipped: true,
      taxMode: 'header',
      taxRate: '8.25',
      taxRates: [{ rate: '8.25', category: 'sales', description: 'Texas sales tax' }],
      paymentTermsDays: 45,
    },
    punchout: { frameAncestors: ['https://srm.example', 'https://p2p.example'] },
    sftp: {
      host: 'sftp.buyer.example',
      port: 2222,
      username: 'acme',
      hostKeySha256: `SHA256:${'A'.repeat(43)}`,
      password: 'sftp-password',
      inboundDir: '/out',
      outboundDir: '/in',
      archiveDir: '/archive',
      readyFileSuffix: '.ready',
      pollSeconds: 30,
    },
    delivery: { concurrency: 2 },
  });

const withoutSecrets = (v: unknown): unknown => {
  const copy = JSON.parse(JSON.stringify(v)) as Record<string, Record<string, unknown>>;
  for (const path of SECRET_FIELDS) {
    const [section, key] = path.split('.') as [string, string];
    if (copy[section]) delete copy[section][key];
  }
  return copy;
};

it('has a form field for every leaf of the partner contract', () => {
  const paths = PARTNER_FIELDS.map((f) => f.path);
  for (const p of ['id', 'cxml.credentials', 'x12.delimiters.segment', 'as2.mdn.signed', 'sftp.privateKey'])
    expect(paths).toContain(p);
  expect(new Set(paths).size).toBe(paths.length);
  // Every top-level key of the schema is a field or a section of fields.
  for (const key of Object.keys(partnerInputSchema.shape))
    expect(paths.some((p) => p === key || p.startsWith(`${key}.`))).toBe(true);
});

it('reads back the partner it was filled with, secrets left empty', () => {
  const input = full();
  const values = formValuesOf(input);
  expect(values['cxml.sharedSecret']).toBeUndefined();
  expect(values['sftp.password']).toBeUndefined();
  expect(values['punchout.frameAncestors']).toBe('https://srm.example\nhttps://p2p.example');
  const { input: read, errors } = inputOfForm(values);
  expect(errors).toEqual({});
  const checked = validatePartnerForm(read, errors);
  expect(checked.ok).toBe(true);
  if (checked.ok) expect(checked.input).toEqual(withoutSecrets(input));
});

it('puts each issue on its field, nested paths on the field that holds them', () => {
  expect(fieldOfIssue(['cxml', 'credentials', 0, 'domain'])).toBe('cxml.credentials');
  expect(fieldOfIssue(['x12', 'delimiters', 'element'])).toBe('x12.delimiters.element');
  expect(fieldOfIssue(['nothing'])).toBe('');
  const { input, errors } = inputOfForm({
    id: 'acme',
    name: 'Acme',
    currency: 'USD',
    'cxml.credentials': '[{"domain": ""}]',
    'x12.ackWithinHours': 'soon',
    'invoicing.taxRates': 'not json',
  });
  const checked = validatePartnerForm(input, errors);
  expect(checked.ok).toBe(false);
  if (checked.ok) return;
  expect(Object.keys(checked.errors.fields).sort()).toEqual([
    'cxml.credentials',
    'invoicing.taxRates',
    'x12.ackWithinHours',
    'x12.gsId',
    'x12.isaId',
    'x12.isaQualifier',
  ]);
  expect(checked.errors.fields['invoicing.taxRates']).toContain('must be JSON');
  expect(checked.errors.fields['cxml.credentials']).toMatch(/^cxml\.credentials\.0\./);
});
