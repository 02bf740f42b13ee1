export * from './create-http-app';
export * from './validate-request';
export * from './request-id';
export * from './same-origin';
export * from './rate-limit';
export * from './load-shedding';
export * from './response-headers';
