export * from './replica-catch-up';
