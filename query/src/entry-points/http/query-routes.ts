import { Router, type Request } from 'express';
import { matchedData } from 'express-validator';
import { NotFoundError, requireAuth, signedInUser, validateRequest } from '@postline/common';
import type { ReadSide } from '../../domain/read-side';
import {
  defaultLimit,
  idOrSlugPattern,
  noQueryRules,
  pageOnlyRules,
  postListRules,
  usernamePattern,
} from './validators';

function pagingOf(req: Request): { page: number; limit: number } {
  const { page, limit } = matchedData<{ page?: number; limit?: number }>(req, { locations: ['query'] });
  return { page: page ?? 1, limit: limit ?? defaultLimit };
}

/**
 * GET /posts, /posts/:idOrSlug, /feed, /tags, /users/:username/posts: public
 * reads, personalised (likedByMe, followingAuthor, followedByMe, own pending
 * comments) when the request carries a session.
 */
export function queryRoutes(readSide: ReadSide): Router {
  const router = Router();

  router.get('/posts', validateRequest(postListRules), async (req, res) => {
    const { tag, author } = matchedData<{ tag?: string; author?: string }>(req, { locations: ['query'] });
    res.json(await readSide.posts({ tag, author }, pagingOf(req), req.currentUser));
  });

  router.get('/posts/:idOrSlug', validateRequest(noQueryRules), async (req, res) => {
    const idOrSlug = String(req.params.idOrSlug);
    if (!idOrSlugPattern.test(idOrSlug)) throw new NotFoundError('Post not found');
    res.json({ post: await readSide.post(idOrSlug, req.currentUser) });
  });

  router.get('/feed', requireAuth, validateRequest(pageOnlyRules), async (req, res) => {
    res.json(await readSide.feed(signedInUser(req), pagingOf(req)));
  });

  router.get('/tags', validateRequest(noQueryRules), async (_req, res) => {
    res.json({ tags: await readSide.tags() });
  });

  router.get('/users/:username/posts', validateRequest(pageOnlyRules), async (req, res) => {
    const username = String(req.params.username).toLowerCase();
    if (!usernamePattern.test(username)) throw new NotFoundError('User not found');
    res.json(await readSide.authorPosts(username, pagingOf(req), req.currentUser));
  });

  return router;
}
