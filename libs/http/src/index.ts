export * from './error-body';
export * from './shop-exception.filter';
export * from './admin-token.guard';
export * from './create-shop-app';
export * from './product-id.pipe';
export * from './request-id.decorator';
