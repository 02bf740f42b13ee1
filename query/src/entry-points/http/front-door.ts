import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { requestIdFor, type ServiceMetrics, type TokenVerifier } from '@postline/common';
import type { Logger } from 'pino';
import { renderFor, type Answer } from '../../domain/answer-template';
import type { ReadSide } from '../../domain/read-side';
import { answerHeaders, clientHasIt } from './answer-response';
import { isTag, normaliseTag, usernamePattern } from '@postline/common/rules';
import { defaultLimit, idOrSlugPattern, maxLimit, maxPage } from './validators';
import { tokenOf } from './viewer-token';

export interface FrontDoorOptions {
  readSide: ReadSide;
  /** The replica's TokenVerifier, the one its Express routes use: the same tokens stand in both. */
  tokens: TokenVerifier;
  logger: Logger;
  /** The service's public prefix: `/api/query`. */
  prefix: string;
  /** Where the answered requests are counted, as Express's requests are (the service's metrics). */
  metrics?: Pick<ServiceMetrics, 'recordRequest'>;
}

type Pass = () => void;
type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The hot reads, answered before Express. A cached answer costs microseconds;
 * Express and the common middleware around it (request logger, body parser,
 * session cookie, validators) cost several times that per request, which
 * kept reads far below the bare-server ceiling. The front door takes only
 * well-formed requests for the cacheable routes, in their plain form; anything
 * else (a parameter to reject, an odd encoding, HEAD, a post or user that does
 * not exist, an error) is passed to Express untouched, which answers it as it
 * always did, from the same read side. Its answers are the routes' answers,
 * byte for byte, with the same headers.
 *
 * Installed on the service's HTTP server by the service definition's `started`
 * (see service.ts), once its routes are up.
 */
export function installFrontDoor(server: Server, options: FrontDoorOptions): void {
  const rest = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const take = frontDoor(options);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const pass = () => {
      for (const listener of rest) listener.call(server, req, res);
    };
    if (!take(req, res, pass)) pass();
  });
}

export function frontDoor(
  options: FrontDoorOptions,
): (req: IncomingMessage, res: ServerResponse, pass: Pass) => boolean {
  const { readSide, logger, prefix, metrics, tokens } = options;

  /**
   * The route pattern (as the Express router names it, for the metrics) and the answer-making
   * function of a request the front door takes, or undefined to pass it on.
   */
  function route(url: string): [string, () => Promise<Answer | undefined>] | undefined {
    if (!url.startsWith(prefix)) return undefined;
    const q = url.indexOf('?');
    const path = url.slice(prefix.length, q === -1 ? undefined : q);
    const search = q === -1 ? '' : url.slice(q + 1);
    if (path === '/posts') {
      const query = plainQuery(search, ['page', 'limit', 'tag', 'author']);
      const paging = query && pagingOf(query);
      if (!query || !paging) return undefined;
      const tag = query.tag === undefined ? undefined : normaliseTag(query.tag);
      const author = query.author === undefined ? undefined : query.author.trim().toLowerCase();
      if (tag !== undefined && !isTag(tag)) return undefined;
      if (author !== undefined && !usernamePattern.test(author)) return undefined;
      return ['/posts', () => readSide.postList({ tag, author }, paging)];
    }
    if (path === '/tags') return search === '' ? ['/tags', () => readSide.tags()] : undefined;
    const segments = path.split('/');
    // ['', 'posts', id] or ['', 'users', name, 'posts']; escapes are left to Express to decode.
    if (path.includes('%')) return undefined;
    if (segments.length === 3 && segments[1] === 'posts') {
      const idOrSlug = segments[2]!;
      if (search !== '' || !idOrSlugPattern.test(idOrSlug)) return undefined;
      return ['/posts/:idOrSlug', () => readSide.post(idOrSlug)];
    }
    if (segments.length === 4 && segments[1] === 'users' && segments[3] === 'posts') {
      const username = segments[2]!.toLowerCase();
      const query = plainQuery(search, ['page', 'limit']);
      const paging = query && pagingOf(query);
      if (!paging || !usernamePattern.test(username)) return undefined;
      return ['/users/:username/posts', () => readSide.userPage(username, paging)];
    }
    return undefined;
  }

  return (req, res, pass) => {
    if (req.method !== 'GET' || !req.url) return false;
    const taken = route(req.url);
    if (!taken) return false;
    const [pattern, answerOf] = taken;
    const started = performance.now();
    const token = tokenOf(req);
    const user = (token && tokens.verify(token)?.user) || null;
    void (async () => {
      const [answer, viewer] = await Promise.all([answerOf(), user ? readSide.viewer(user) : undefined]);
      // No such post or user: Express answers the 404 as always.
      if (!answer) return pass();
      const rendered = renderFor(answer, viewer);
      const requestId = requestIdFor(req, res);
      const fresh = clientHasIt(req.headers, rendered.etag);
      const headers = answerHeaders(rendered, viewer !== undefined);
      if (fresh) delete headers['Content-Type'];
      else headers['Content-Length'] = rendered.body.length;
      res.writeHead(fresh ? 304 : 200, headers);
      res.end(fresh ? undefined : rendered.body);
      metrics?.recordRequest('GET', `${prefix}${pattern}`, res.statusCode, (performance.now() - started) / 1000);
      if (logger.isLevelEnabled('info')) {
        const { method, url, socket } = req;
        logger.info(
          {
            req: { id: requestId, method, url, remoteAddress: socket.remoteAddress },
            res: { statusCode: res.statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          'request completed',
        );
      }
    })().catch((err: unknown) => {
      // Nothing was sent yet: Express answers the error (logged there, with its request id).
      logger.debug({ err }, 'front door passes a failed read to Express');
      if (!res.headersSent) pass();
    });
    return true;
  };
}

/** The query string's parameters when each is one of `allowed` and given once; undefined otherwise (Express decides). */
function plainQuery(search: string, allowed: readonly string[]): Record<string, string> | undefined {
  if (search === '') return {};
  const parsed: ParsedUrlQuery = parseQuery(search);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowed.includes(key) || typeof value !== 'string') return undefined;
    out[key] = value;
  }
  return out;
}

const plainNumber = /^[1-9][0-9]{0,5}$/;

function pagingOf(query: Record<string, string>): { page: number; limit: number } | undefined {
  const page = query.page === undefined ? 1 : plainNumber.test(query.page) ? Number(query.page) : 0;
  const limit = query.limit === undefined ? defaultLimit : plainNumber.test(query.limit) ? Number(query.limit) : 0;
  if (page < 1 || page > maxPage || limit < 1 || limit > maxLimit) return undefined;
  return { page, limit };
}
