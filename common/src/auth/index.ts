export * from './user-token';
export * from './middleware';
export * from './session';
