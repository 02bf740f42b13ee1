export type * from './http-api';
