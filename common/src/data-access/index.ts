export * from './document-lock';
