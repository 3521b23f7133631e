export * from './catalog-outbox-relay';
