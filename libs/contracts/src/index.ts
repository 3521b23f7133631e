export * from './messaging';
export * from './stock';
export * from './catalog';
