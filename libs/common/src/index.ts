export * from './backoff';
export * from './error-message';
export * from './logger';
export * from './sleep';
export * from './timeout';
export * from './json-body';
