/** The JSON API's order and shipment inputs (validated by the routes before a use case runs). */
import { z } from 'zod';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "12.50"');
const positive = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal string');
const extrinsic = z.object({ name: z.string().min(1), value: z.string() });
const contact = z.object({
  role: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  fax: z.string().optional(),
});
const party = z.object({
  addressId: z.string().optional(),
  name: z.string().optional(),
  deliverTo: z.array(z.string()).optional(),
  address: z
    .object({
      name: z.string().optional(),
      street: z.array(z.string()).default([]),
      city: z.string().optional(),
      state: z.string().optional(),
      postalCode: z.string().optional(),
      countryCode: z.string().optional(),
      countryName: z.string().optional(),
    })
    .optional(),
  contacts: z.array(contact).optional(),
});
const tax = z.object({
  amount: decimal,
  description: z.string().optional(),
  rate: decimal.optional(),
  category: z.string().optional(),
  taxableAmount: decimal.optional(),
});

/** The canonical order (src/model/order.ts) as JSON. */
export const orderInputSchema = z.object({
  buyerOrderNumber: z.string().min(1).max(100),
  type: z.enum(['new', 'update', 'cancel']).default('new'),
  orderDate: z
    .string()
    .min(1)
    .default(() => new Date().toISOString()),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
  total: decimal.optional(),
  tax: tax.optional(),
  shipping: z.object({ amount: decimal, description: z.string().optional() }).optional(),
  shipTo: party.optional(),
  billTo: party.optional(),
  contacts: z.array(contact).default([]),
  comments: z.array(z.string()).default([]),
  extrinsics: z.array(extrinsic).default([]),
  paymentTerms: z
    .object({
      netDays: z.number().int().min(0).optional(),
      discountPercent: decimal.optional(),
      discountDays: z.number().int().min(0).optional(),
      text: z.string().optional(),
    })
    .optional(),
  lines: z
    .array(
      z.object({
        lineNumber: z.number().int().min(1),
        supplierPartId: z.string().min(1),
        supplierAuxiliaryId: z.string().optional(),
        buyerPartId: z.string().optional(),
        manufacturerName: z.string().optional(),
        manufacturerPartId: z.string().optional(),
        description: z.string().optional(),
        quantity: positive,
        unitOfMeasure: z.string().min(1).default('EA'),
        unitPrice: positive,
        classifications: z.array(z.object({ domain: z.string(), code: z.string() })).default([]),
        requestedDeliveryDate: z.string().optional(),
        distributions: z
          .array(
            z.object({
              accountingName: z.string().optional(),
              segments: z.array(
                z.object({ id: z.string(), type: z.string().optional(), description: z.string().optional() }),
              ),
              charge: decimal.optional(),
            }),
          )
          .default([]),
        tax: tax.optional(),
        shipTo: party.optional(),
        comments: z.array(z.string()).optional(),
        extrinsics: z.array(extrinsic).default([]),
      }),
    )
    .min(1),
});

export const shipmentInputSchema = z.object({
  shipmentId: z.string().min(1).max(100).optional(),
  /** SCAC ("UPSN") or, without one, the carrier's name. */
  carrier: z.string().min(1).optional(),
  /** The carrier's name beside its SCAC (cXML CarrierIdentifier domain companyName). */
  carrierName: z.string().min(1).max(200).optional(),
  trackingNumber: z.string().min(1).optional(),
  shippedAt: z.iso.datetime({ offset: true }),
  expectedDeliveryAt: z.iso.datetime({ offset: true }).optional(),
  lines: z.array(z.object({ lineNumber: z.number().int().min(1), quantity: positive })).min(1),
});
