import { z } from 'zod';

const decimal = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal such as 4.95');
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? null : v))
  .nullable()
  .optional();

/** An absolute http(s) URL (an image the buyer's browser loads): no data:, javascript: or relative URLs. */
const imageUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine(
    (v) => v === '' || isHttpUrl(v),
    'must be an absolute http(s) URL such as https://cdn.example.com/a.jpg',
  )
  .transform((v) => (v === '' ? null : v))
  .nullable()
  .optional();

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !/[\s"'<>]/.test(v);
  } catch {
    return false;
  }
}

const STOCK_MESSAGE = 'must be a non-negative number such as 12 or 2.5 (empty: stock not tracked)';
const MAX_ATTRIBUTES = 50;
const attributeValue = z
  .union([z.string().trim().max(500), z.number(), z.boolean()], {
    error: 'must be text (at most 500 characters), a number or true/false',
  })
  .transform(String);
const attributeObject = z
  .record(z.string().trim().min(1, 'an attribute needs a name').max(100), attributeValue)
  .refine((o) => Object.keys(o).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`)
  // Kept as [name, value] pairs: the product page lists them in the supplier's order.
  .transform((o) => Object.entries(o));

/**
 * Specifications shown on the product page: a JSON object of name -> text, number or boolean; in
 * a CSV the same object as the text of the `attributes` column (empty: none).
 */
const attributes = z
  .unknown()
  .transform((v, ctx) => {
    let value = v;
    if (typeof v === 'string') {
      if (v.trim() === '') return [];
      try {
        value = JSON.parse(v);
      } catch {
        value = undefined;
      }
    }
    const r = attributeObject.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const shape = typeof value !== 'object' || value === null || Array.isArray(value);
    ctx.addIssue({
      code: 'custom',
      message: shape
        ? 'must be a JSON object of names and values such as {"Colour":"black","Width":"160 cm"}'
        : `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not an attribute'}`,
    });
    return z.NEVER;
  })
  .optional();

/** One catalog item: the columns of shared/contracts/catalog.example.csv. */
export const catalogItemSchema = z.object({
  sku: z.string().trim().min(1, 'sku is required').max(100),
  name: z.string().trim().min(1, 'name is required').max(500),
  description: z.string().trim().default(''),
  unit_price: decimal,
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  uom: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{1,3}$/, 'must be a UN/ECE Rec 20 code such as EA'),
  unspsc: z
    .string()
    .trim()
    .regex(/^(\d{8})?$/, 'must be an 8-digit UNSPSC code')
    .optional(),
  category: optionalText,
  manufacturer: optionalText,
  manufacturer_part_id: optionalText,
  lead_time_days: z
    .union([z.string().trim().regex(/^\d*$/, 'must be a whole number of days'), z.number().int().min(0)])
    .optional(),
  min_order_qty: z.union([decimal, z.literal('')]).optional(),
  /** Sold only in multiples of this (empty: any quantity the other rules allow). */
  order_multiple: z
    .union([decimal.refine((v) => /[1-9]/.test(v), 'must be more than 0'), z.literal('')])
    .optional(),
  image_url: imageUrl,
  /** Units on hand (empty: stock not tracked); shown as "In stock" or, at 0, by the lead time. */
  stock_quantity: z
    .union([z.string(), z.number()], { error: STOCK_MESSAGE })
    .transform((v, ctx) => {
      const text = String(v).trim();
      if (text === '' || /^\d{1,15}(\.\d{1,3})?$/.test(text)) return text;
      ctx.addIssue({ code: 'custom', message: STOCK_MESSAGE });
      return z.NEVER;
    })
    .optional(),
  attributes,
});
export type CatalogItemInput = z.infer<typeof catalogItemSchema>;

export const priceListEntrySchema = z
  .object({
    price_list: z.string().trim().min(1, 'price_list is required'),
    sku: z.string().trim().min(1, 'sku is required'),
    unit_price: decimal,
    currency: z
      .string()
      .trim()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
    min_qty: z.union([decimal, z.literal('')]).optional(),
    valid_from: z.union([z.iso.date(), z.literal('')]).optional(),
    valid_to: z.union([z.iso.date(), z.literal('')]).optional(),
  })
  .refine((e) => !e.valid_from || !e.valid_to || e.valid_from <= e.valid_to, {
    message: 'valid_to is before valid_from',
    path: ['valid_to'],
  });
export type PriceListEntryInput = z.infer<typeof priceListEntrySchema>;

export const catalogItemOutput = z.object({
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  unitPrice: z.string(),
  currency: z.string(),
  uom: z.string(),
  unspsc: z.string().nullable(),
  category: z.string().nullable(),
  manufacturer: z.string().nullable(),
  manufacturerPartId: z.string().nullable(),
  leadTimeDays: z.number().nullable(),
  minOrderQty: z.string(),
  orderMultiple: z.string().nullable(),
  imageUrl: z.string().nullable(),
  stockQuantity: z.string().nullable(),
  availability: z.object({
    state: z.enum(['in_stock', 'lead_time', 'out_of_stock', 'unknown']),
    text: z.string(),
  }),
  attributes: z.record(z.string(), z.string()),
  /** For a partner key: where unitPrice comes from (its price list, or the list price). */
  priceSource: z.enum(['price_list', 'list']).optional(),
});

/** One item's stock as the stock API takes it (PUT one, or a list with sku for the bulk update). */
export const stockUpdateSchema = z.object({
  /** Units on hand, a decimal string or a JSON number; null: stock not tracked. */
  stockQuantity: z
    .union([z.string(), z.number()], { error: STOCK_MESSAGE })
    .transform((v, ctx) => {
      const text = String(v).trim();
      if (/^\d{1,15}(\.\d{1,3})?$/.test(text)) return text;
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative number such as 12 or 2.5, or null' });
      return z.NEVER;
    })
    .nullable(),
  leadTimeDays: z.number().int().min(0).max(3650).nullable().optional(),
});
export const bulkStockSchema = z
  .array(stockUpdateSchema.extend({ sku: z.string().trim().min(1).max(100) }))
  .min(1)
  .max(10_000);
