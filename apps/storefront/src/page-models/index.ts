// Pure page-model building: what each page needs from the APIs and what it shows. No I/O, no Nest;
// ready to move to libs/storefront-pages once that alias exists.
export * from './page-errors';
export * from './page-params';
export * from './format';
export * from './category-tree';
export * from './listing-model';
export * from './visitor';
export * from './pages';
export * from './stock-badge';
