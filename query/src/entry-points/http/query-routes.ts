import { Router, type Request, type Response } from 'express';
import { matchedData } from 'express-validator';
import { NotFoundError, requireAuth, signedInUser, validateRequest } from '@postline/common';
import { usernamePattern } from '@postline/common/rules';
import { renderFor, type Answer, type Viewer } from '../../domain/answer-template';
import type { ReadSide } from '../../domain/read-side';
import { answerHeaders } from './answer-response';
import { defaultLimit, idOrSlugPattern, noQueryRules, pageOnlyRules, postListRules } from './validators';

function pagingOf(req: Request): { page: number; limit: number } {
  const { page, limit } = matchedData<{ page?: number; limit?: number }>(req, { locations: ['query'] });
  return { page: page ?? 1, limit: limit ?? defaultLimit };
}

/** Sends the answer as this reader sees it; Express answers 304 when If-None-Match has its ETag. */
function send(res: Response, answer: Answer, viewer: Viewer | undefined): void {
  const rendered = renderFor(answer, viewer);
  res.set(answerHeaders(rendered, viewer !== undefined) as Record<string, string>);
  res.send(rendered.body);
}

/**
 * GET /posts, /posts/:idOrSlug, /feed, /drafts, /drafts/:idOrSlug, /tags, /users/:username/posts: public
 * reads, personalised (likedByMe, followingAuthor, followedByMe, own pending
 * comments) when the request carries a session. The plain forms of the
 * cacheable ones are usually answered by the front door (front-door.ts)
 * before reaching here; these routes answer everything else the same way.
 */
export function queryRoutes(readSide: ReadSide): Router {
  const router = Router();
  const viewerOf = (req: Request) => (req.currentUser ? readSide.viewer(req.currentUser) : Promise.resolve(undefined));

  router.get('/posts', validateRequest(postListRules), async (req, res) => {
    const { tag, author } = matchedData<{ tag?: string; author?: string }>(req, { locations: ['query'] });
    const [answer, viewer] = await Promise.all([readSide.postList({ tag, author }, pagingOf(req)), viewerOf(req)]);
    send(res, answer, viewer);
  });

  router.get('/posts/:idOrSlug', validateRequest(noQueryRules), async (req, res) => {
    const idOrSlug = String(req.params.idOrSlug);
    if (!idOrSlugPattern.test(idOrSlug)) throw new NotFoundError('Post not found');
    const [answer, viewer] = await Promise.all([readSide.post(idOrSlug), viewerOf(req)]);
    if (!answer) throw new NotFoundError('Post not found');
    send(res, answer, viewer);
  });

  router.get('/feed', requireAuth, validateRequest(pageOnlyRules), async (req, res) => {
    const viewer = await readSide.viewer(signedInUser(req));
    send(res, await readSide.feed(viewer, pagingOf(req)), viewer);
  });

  // The signed-in author's drafts and the preview of their own post (draft or not): personal, never cached.
  router.get('/drafts', requireAuth, validateRequest(pageOnlyRules), async (req, res) => {
    const viewer = await readSide.viewer(signedInUser(req));
    send(res, await readSide.drafts(viewer, pagingOf(req)), viewer);
  });

  router.get('/drafts/:idOrSlug', requireAuth, validateRequest(noQueryRules), async (req, res) => {
    const idOrSlug = String(req.params.idOrSlug);
    if (!idOrSlugPattern.test(idOrSlug)) throw new NotFoundError('Post not found');
    const viewer = await readSide.viewer(signedInUser(req));
    const answer = await readSide.ownPost(viewer, idOrSlug);
    if (!answer) throw new NotFoundError('Post not found');
    send(res, answer, viewer);
  });

  router.get('/tags', validateRequest(noQueryRules), async (_req, res) => {
    send(res, await readSide.tags(), undefined);
  });

  router.get('/users/:username/posts', validateRequest(pageOnlyRules), async (req, res) => {
    const username = String(req.params.username).toLowerCase();
    if (!usernamePattern.test(username)) throw new NotFoundError('User not found');
    const [answer, viewer] = await Promise.all([readSide.userPage(username, pagingOf(req)), viewerOf(req)]);
    if (!answer) throw new NotFoundError('User not found');
    send(res, answer, viewer);
  });

  return router;
}
