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
  image_url: optionalText,
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
  /** For a partner key: where unitPrice comes from (its price list, or the list price). */
  priceSource: z.enum(['price_list', 'list']).optional(),
});
