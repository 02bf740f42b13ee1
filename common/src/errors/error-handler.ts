import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError, NotFoundError, PayloadTooLargeError, BadRequestError } from './http-errors';

/** Unknown route: the same JSON 404 as an unknown resource. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};

/** body-parser raises these with `type` set; map them to the client errors they are. */
function fromBodyParser(err: unknown): HttpError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type?: unknown }).type) {
    case 'entity.too.large':
      return new PayloadTooLargeError();
    case 'entity.parse.failed':
      return new BadRequestError('Malformed JSON in request body');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new BadRequestError('Unsupported body encoding');
    default:
      return undefined;
  }
}

/** The router could not decode a path parameter (`%ZZ`, a cut-off UTF-8 sequence): the client's URL is wrong. */
function fromRouter(err: unknown): HttpError | undefined {
  return err instanceof URIError ? new BadRequestError('Malformed percent-encoding in the path') : undefined;
}

/**
 * The last middleware of every app. Client errors go out as they are; anything
 * else is logged with the request id and answered with a bare 500.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const httpError = err instanceof HttpError ? err : (fromBodyParser(err) ?? fromRouter(err));
  if (res.headersSent) {
    req.log?.error({ err }, 'error after response started');
    return;
  }
  if (httpError) {
    res.status(httpError.statusCode).json({ errors: httpError.serialize() });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).json({ errors: [{ message: 'Something went wrong' }] });
};
