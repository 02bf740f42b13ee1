export * from './replica-catch-up';
export * from './apply-in-order';
