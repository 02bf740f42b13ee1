export * from './duplicate-key';
export * from './collection-of';
export * from './new-id';
export * from './within-time';
