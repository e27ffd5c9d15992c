export * from './money';
export * from './uom';
export * from './party';
export * from './order';
export * from './order-state';
export * from './shipment';
export * from './invoice';
export * from './format';
