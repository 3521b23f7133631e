export * from './upstream-errors';
export * from './fetch-json';
export * from './catalog-client';
export * from './stock-client';
export * from './cart-client';
