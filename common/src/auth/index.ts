export * from './user-token';
export * from './middleware';
