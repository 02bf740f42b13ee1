export * from './catalogue';
export * from './envelope';
export * from './streams';
export * from './event-bus';
export * from './event-listener';
export * from './permissions';
