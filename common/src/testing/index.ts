export * from './local-servers';
export * from './test-infrastructure';
export * from './test-users';
export * from './event-recorder';
export * from './service-under-test';
export * from './stream-state';
export * from './event-factory';
export * from './entry-point';
