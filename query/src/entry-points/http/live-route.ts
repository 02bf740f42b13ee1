import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import {
  clientAddressKey,
  leaveInFlight,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
  validateRequest,
} from '@postline/common';
import { liveChannel } from '../../domain/live-changes';
import { liveStreamHeaders, type LiveHub } from './live-hub';
import { tokenOf } from './viewer-token';

/** Post ids as the posts service makes them; anything else cannot name a post. */
const postIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const liveRules = [
  query('post')
    .optional()
    .isString()
    .withMessage('post must be a single value')
    .bail()
    .matches(postIdPattern)
    .withMessage('post must be a post id'),
];

/** When the request's token (verified by common's middleware) expires, in ms since the epoch. */
function sessionEnd(req: Parameters<typeof tokenOf>[0]): number | undefined {
  const token = tokenOf(req);
  if (!token) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GET /live?post=<id>: Server-Sent Events of the changes a post page shows
 * (channel `post:<id>`) and, for a signed-in reader, of their own comments
 * wherever they are (`user:<id>`: status and reason). Resumes after
 * `Last-Event-ID` (see live-hub.ts). Signed out and without a post there is
 * nothing to follow: 400.
 */
export function liveRoutes(hub: LiveHub): Router {
  const router = Router();
  router.get('/live', validateRequest(liveRules), (req, res) => {
    const { post } = matchedData<{ post?: string }>(req, { locations: ['query'] });
    const channels: string[] = [];
    if (post) channels.push(liveChannel.post(post));
    if (req.currentUser) channels.push(liveChannel.user(req.currentUser.id));
    if (channels.length === 0)
      throw new ValidationError([
        { message: 'give a post id to follow, or sign in to follow your comments', field: 'post' },
      ]);
    // Express routes HEAD here too: the stream's headers, then the end (a stream would never end).
    if (req.method === 'HEAD') {
      res.writeHead(200, liveStreamHeaders).end();
      return;
    }
    // One client cannot take every stream: a signed-in reader is counted by account, others by address.
    const client = req.currentUser ? `user:${req.currentUser.id}` : `address:${clientAddressKey(req)}`;
    if (hub.atClientLimit(client)) {
      res.set('Retry-After', '10');
      throw new TooManyRequestsError('Too many live connections from this client; close one and try again');
    }
    if (hub.full) {
      res.set('Retry-After', '10');
      throw new ServiceUnavailableError('Too many live connections on this server; try again shortly');
    }
    // An id too long to be ours is not found, so that stream starts with `reload`.
    hub.start(
      res,
      client,
      channels,
      req.get('Last-Event-ID')?.slice(0, 200),
      req.currentUser ? sessionEnd(req) : undefined,
    );
    // Open for as long as the reader reads: not work that the load shedding should wait for.
    leaveInFlight(res);
  });
  return router;
}
