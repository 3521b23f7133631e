export * from './cart-errors';
export * from './cart-input';
export * from './cart-keys';
export * from './cart-model';
export * from './cart-scripts';
export * from './carts';
export * from './cart-hold-sweeper';
export * from './cached-product-catalog';
