export * from './user-token';
export * from './ended-sessions';
export * from './token-verifier';
export * from './middleware';
export * from './session';
export * from './session-endings';
