export * from './duplicate-key';
