export * from './document-lock';
export * from './server-kind';
