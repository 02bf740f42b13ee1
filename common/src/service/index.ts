export * from './health';
export * from './run-service';
export * from './main';
