import express, { type Express, type RequestHandler, type Router } from 'express';
import cookieSession from 'cookie-session';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { currentUser, type TokenVerifier } from '../auth';
import { errorHandler, notFoundHandler, UnsupportedMediaTypeError } from '../errors';
import { shedLoad, type LoadSheddingOptions } from './load-shedding';
import { requestIdFor } from './request-id';
import { setResponseHeaders } from './response-headers';
import { refuseForeignOrigin } from './same-origin';

export interface HttpAppOptions {
  logger: Logger;
  /** Which session tokens stand (the replica's TokenVerifier). */
  tokens: TokenVerifier;
  /** Proxy hops in front of the service (gateway, ingress) whose X-Forwarded-For to trust. */
  trustProxyHops?: number;
  secureCookies?: boolean;
  bodyLimit?: string;
  /** Mounted at the service's public prefix, e.g. `/api/users`. */
  routes: Router;
  prefix: string;
  /** Runs first on every request (the service's HTTP metrics). */
  requestMetrics?: RequestHandler;
  /** Requests past this many in flight get a 503 at once (see load-shedding.ts); absent: no limit. */
  loadShedding?: LoadSheddingOptions;
}

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH']);

/** A body that is there but not JSON is a 415, rather than silently reading as empty. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (methodsWithBody.has(req.method) && hasBody && !req.is('application/json')) {
    throw new UnsupportedMediaTypeError();
  }
  next();
};

/**
 * The Express app every service starts from: `nosniff` and `no-store` on every answer
 * (response-headers.ts), load shed past a number of requests in flight,
 * request ids and request logs,
 * writes from foreign origins refused, JSON bodies with a size limit, the
 * session cookie and the current user, the service's routes under its prefix,
 * then JSON 404 and error handling.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxyHops ?? 1);
  app.set('query parser', 'simple');
  // First, so that every answer has them, a refusal included.
  app.use(setResponseHeaders);
  if (options.requestMetrics) app.use(options.requestMetrics);
  // Before the request log: a refused request costs next to nothing, even when thousands come.
  if (options.loadShedding) app.use(shedLoad(options.loadShedding));

  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: requestIdFor,
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // Just what an operator needs; headers (cookies, bearer tokens) are never logged.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(refuseForeignOrigin);
  app.use(requireJsonBody);
  app.use(express.json({ limit: options.bodyLimit ?? '100kb', strict: true }));
  app.use(
    cookieSession({
      name: 'session',
      signed: false, // the JWT inside is what is signed
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies ?? false,
    }),
  );
  app.use(currentUser(options.tokens));
  app.use(options.prefix, options.routes);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
