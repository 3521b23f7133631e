export * from './messaging';
export * from './stock';
export * from './catalog';
export * from './stock-version';
export * from './product-id';
export * from './orders';
export * from './notifications';
export * from './price';
