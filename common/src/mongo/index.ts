export * from './duplicate-key';
export * from './collection-of';
