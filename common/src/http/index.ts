export * from './create-http-app';
export * from './validate-request';
export * from './request-id';
