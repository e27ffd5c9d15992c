/**
 * Rows of the tables that hang off an order, as the database reads them: numeric columns as decimal
 * strings, bigint ids as numbers (platform/db.ts), timestamps as Dates.
 */
import type { Order } from '../model/order';
import type { TransitionEventRow } from '../platform/lifecycle';

export interface OrderLineRow {
  id: number;
  order_id: string;
  line_number: number;
  sku: string;
  supplier_aux_id: string | null;
  description: string | null;
  quantity: string;
  uom: string;
  unit_price: string;
  shipped_quantity: string;
  invoiced_quantity: string;
  status: string;
}

export interface OrderVersionRow {
  order_id: string;
  version: number;
  type: string;
  canonical: Order;
  document_id: string | null;
  created_at: Date;
}

export interface OrderEventRow extends TransitionEventRow {
  id: number;
  order_id: string;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  partner_id: string;
  shipment_number: string;
  carrier: string | null;
  tracking_number: string | null;
  shipped_at: Date;
  canonical: unknown;
  created_at: Date;
}
