export * from './errors';
export * from './config';
export * from './logging';
export * from './auth';
export * from './http';
export * from './events';
export * from './outbox';
export * from './service';
export type * from './api';
