import type { DecimalString } from './money';
import type { Party } from './party';

export interface ShipmentLine {
  lineNumber: number;
  quantity: DecimalString;
  supplierPartId?: string;
  unitOfMeasure?: string;
}

export interface Shipment {
  /** Supplier's shipment id (cXML shipmentID, X12 BSN02). */
  shipmentId: string;
  buyerOrderNumber: string;
  /** The carrier: its SCAC ("UPSN") or, without one, its name. */
  carrier?: string;
  /** The carrier's name beside its SCAC ("United Parcel Service"), when both are known. */
  carrierName?: string;
  trackingNumber?: string;
  /** ISO 8601 */
  shippedAt: string;
  expectedDeliveryAt?: string;
  shipFrom?: Party;
  shipTo?: Party;
  lines: ShipmentLine[];
}
