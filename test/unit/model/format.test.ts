import { localDate, localDateTime, localMoney, localQuantity } from '../../../src/model';
import { localeFrom } from '../../../src/platform/pages/locale';
import { ConfigError, loadConfig } from '../../../src/platform/config';

describe('localMoney', () => {
  it('writes amounts for the locale, rounded half-up to the currency by decimal.js', () => {
    expect(localMoney('en-US', '1234.5', 'USD')).toBe('$1,234.50');
    expect(localMoney('de-DE', '1234.5', 'EUR')).toBe('1.234,50\u00a0€');
    expect(localMoney('en-US', '0.005', 'USD')).toBe('$0.01');
    expect(localMoney('en-US', '-0.005', 'USD')).toBe('-$0.01');
    expect(localMoney('ja-JP', '259.5', 'JPY')).toBe('￥260');
    expect(localMoney('en-US', '1.2345', 'KWD', { currency: 'code' })).toBe('KWD\u00a01.235');
  });

  it('never passes through a float: 17 significant digits and more stay exact', () => {
    // As a JS number 12345678901234567.89 is 12345678901234568.
    expect(localMoney('en-US', '12345678901234567.89', 'USD')).toBe('$12,345,678,901,234,567.89');
    expect(localMoney('en-US', '0.1', 'USD', { currency: 'none' })).toBe('0.10');
    expect(localMoney('en-US', '9007199254740993.005', 'USD', { currency: 'none' })).toBe(
      '9,007,199,254,740,993.01',
    );
  });

  it('writes a unit price with the decimals it has as stored, at least the currency’s', () => {
    expect(localMoney('en-US', '12.345', 'USD', { unitPrice: true })).toBe('$12.345');
    expect(localMoney('en-US', '4.2000', 'USD', { unitPrice: true })).toBe('$4.20');
    expect(localMoney('en-US', '259', 'USD', { unitPrice: true })).toBe('$259.00');
    expect(localMoney('de-DE', '0.1234', 'EUR', { unitPrice: true })).toBe('0,1234\u00a0€');
  });
});

describe('localQuantity, localDate, localDateTime', () => {
  it('groups quantities without rounding them', () => {
    expect(localQuantity('en-US', '1200')).toBe('1,200');
    expect(localQuantity('de-DE', '1000.125')).toBe('1.000,125');
  });
  it('writes calendar days and moments (in UTC, saying so)', () => {
    expect(localDate('en-US', '2026-12-04')).toBe('Dec 4, 2026');
    expect(localDate('en-GB', '2026-11-23T09:00:00-05:00')).toBe('23 Nov 2026');
    expect(localDateTime('de-DE', '2026-12-02T00:26:27.824Z')).toBe('02.12.2026, 00:26 UTC');
    expect(localDate('en-US', 'not a date')).toBe('not a date');
  });
});

describe('localeFrom (Accept-Language)', () => {
  it('takes the best-rated language Intl knows, else en-US', () => {
    expect(localeFrom('de-CH,de;q=0.9,en;q=0.8')).toBe('de-CH');
    expect(localeFrom('en;q=0.5, fr-FR;q=0.9')).toBe('fr-FR');
    expect(localeFrom('xx-invalid-!!, *')).toBe('en-US');
    expect(localeFrom(undefined)).toBe('en-US');
    expect(localeFrom('de;q=0, fr')).toBe('fr');
  });
});

describe('supplier document settings', () => {
  it('reads address lines, tax ids and remit-to, and the invoice locale', () => {
    const c = loadConfig({
      SUPPLIER_LEGAL_NAME: 'Demo Supplier Incorporated',
      SUPPLIER_ADDRESS: '100 Industrial Way | Springfield, IL 62701 | United States',
      SUPPLIER_TAX_IDS: 'EIN: 12-3456789; VAT: DE123456789',
      SUPPLIER_REMIT_TO: 'Demo Supplier Inc.|Lockbox 1234',
      INVOICE_LOCALE: 'en-GB',
    });
    expect(c.SUPPLIER_ADDRESS).toEqual(['100 Industrial Way', 'Springfield, IL 62701', 'United States']);
    expect(c.SUPPLIER_TAX_IDS).toEqual([
      { label: 'EIN', value: '12-3456789' },
      { label: 'VAT', value: 'DE123456789' },
    ]);
    expect(c.SUPPLIER_REMIT_TO).toEqual(['Demo Supplier Inc.', 'Lockbox 1234']);
    expect(c.INVOICE_LOCALE).toBe('en-GB');
    expect(loadConfig({}).INVOICE_LOCALE).toBe('en-US');
  });

  it('refuses malformed entries, naming the form each one takes', () => {
    let err: unknown;
    try {
      loadConfig({
        SUPPLIER_ADDRESS: '1|2|3|4|5|6|7',
        SUPPLIER_TAX_IDS: 'DE123456789',
        SUPPLIER_REMIT_TO: `Payee|${'x'.repeat(101)}`,
        INVOICE_LOCALE: 'not a locale',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      'SUPPLIER_ADDRESS: must be 1 to 6 lines separated by |, such as "100 Industrial Way|Springfield, IL 62701|United States"',
      'SUPPLIER_TAX_IDS: "DE123456789" must be "label: value" (at most 40 and 60 characters), entries separated by ; such as "VAT: DE123456789; EIN: 12-3456789"',
      'SUPPLIER_REMIT_TO: a line must be at most 100 characters, without control characters',
      'INVOICE_LOCALE: must be a BCP 47 language tag this Node knows, such as en-US, en-GB, de-DE or fr-CH',
    ]);
  });
});
