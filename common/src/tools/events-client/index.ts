export * from './events-client';
export * from './connection';
export * from './event-input';
export * from './publish-events';
export * from './tail-events';
export * from './stream-stats';
export * from './dead-letters';
export * from './time-spec';
