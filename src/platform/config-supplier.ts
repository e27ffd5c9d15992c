/**
 * The supplier as its invoices name it (README, Configuration): legal name, address, tax ids,
 * remit-to and the locale money and dates are written in. Lists are one variable each: address
 * lines separated by `|`, tax ids as `label: value` separated by `;`.
 */
import { z } from 'zod';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `|`-separated lines: 1 to `max` lines of at most 100 characters, no control characters. */
const lines = (max: number, example: string) =>
  z.string().transform((s, ctx) => {
    const out = s
      .split('|')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const problem =
      out.length === 0 || out.length > max
        ? `must be 1 to ${max} lines separated by |, such as "${example}"`
        : out.find((l) => l.length > 100 || CONTROL.test(l))
          ? 'a line must be at most 100 characters, without control characters'
          : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return out;
  });

export interface TaxId {
  label: string;
  value: string;
}

const taxIds = z.string().transform((s, ctx): TaxId[] => {
  const out: TaxId[] = [];
  for (const part of s.split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^([^:]{1,40}):\s*(\S[^;]{0,59})$/.exec(part);
    if (!m || CONTROL.test(part)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part.slice(0, 60)}" must be "label: value" (at most 40 and 60 characters), entries separated by ; such as "VAT: DE123456789; EIN: 12-3456789"`,
      });
      return z.NEVER;
    }
    out.push({ label: (m[1] as string).trim(), value: (m[2] as string).trim() });
  }
  return out;
});

const locale = z.string().refine(
  (v) => {
    try {
      return Intl.NumberFormat.supportedLocalesOf([v]).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a BCP 47 language tag this Node knows, such as en-US, en-GB, de-DE or fr-CH' },
);

export const supplierDocumentSettings = {
  /** The name invoices carry (SUPPLIER_NAME when unset). */
  SUPPLIER_LEGAL_NAME: z.string().trim().min(1).max(200).optional(),
  SUPPLIER_ADDRESS: lines(6, '100 Industrial Way|Springfield, IL 62701|United States').optional(),
  SUPPLIER_TAX_IDS: taxIds.optional(),
  /** Where payments go: payee and address or lockbox, bank lines; the supplier's address when unset. */
  SUPPLIER_REMIT_TO: lines(8, 'Demo Supplier Inc.|Lockbox 1234|Chicago, IL 60601').optional(),
  INVOICE_LOCALE: locale.default('en-US'),
};
