// How every app serves HTTP: bootstrap, validation, the error shape, the admin guard, ids.
// Exported: what other rooms use.
export { AdminOnly } from './admin-token.guard';
export { configureShopApp, initShopApp, shopValidationPipe, startShopApp } from './create-shop-app';
export { classifyError, type ErrorStatusMapping } from './error-body';
export { ProductIdPipe } from './product-id.pipe';
export { RequestId } from './request-id.decorator';
