import { Router, type RequestHandler } from 'express';
import { requireAuth, signedInUser, validateRequest } from '@postline/common';
import type { Posts } from '../../domain/posts';

/** POST|DELETE /:id/like: one like per user; repeating either is harmless; `limit` bounds how fast. */
export function likeRoutes(posts: Posts, limit: RequestHandler): Router {
  const router = Router();

  router.post('/:id/like', requireAuth, limit, validateRequest([]), async (req, res) => {
    res.json(await posts.like(signedInUser(req), String(req.params.id)));
  });

  router.delete('/:id/like', requireAuth, limit, validateRequest([]), async (req, res) => {
    res.json(await posts.unlike(signedInUser(req), String(req.params.id)));
  });

  return router;
}
