export * from './http-errors';
export { errorHandler, notFoundHandler } from './error-handler';
