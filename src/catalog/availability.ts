/**
 * What a buyer is told about when a product can ship, from its stock quantity (null: not tracked)
 * and lead time: "In stock" while any is on hand, else "Ships in N days" when the lead time is
 * known, else "Out of stock" (tracked and none left) or nothing (neither is known).
 */
import { dec } from '../model';

export type AvailabilityState = 'in_stock' | 'lead_time' | 'out_of_stock' | 'unknown';

export interface Availability {
  state: AvailabilityState;
  text: string;
}

export function availabilityOf(item: {
  stock_quantity: string | null;
  lead_time_days: number | null;
}): Availability {
  const stock = item.stock_quantity === null ? null : dec(item.stock_quantity);
  if (stock && stock.gt(0)) return { state: 'in_stock', text: 'In stock' };
  const days = item.lead_time_days;
  if (days !== null && days !== undefined) {
    if (stock === null && days === 0) return { state: 'in_stock', text: 'In stock' };
    return {
      state: 'lead_time',
      text: days === 0 ? 'Ships today' : `Ships in ${days} ${days === 1 ? 'day' : 'days'}`,
    };
  }
  if (stock !== null) return { state: 'out_of_stock', text: 'Out of stock' };
  return { state: 'unknown', text: '' };
}
