import { Router } from 'express';
import { requireAuth, signedInUser, validateRequest } from '@postline/common';
import type { Posts } from '../../domain/posts';

/** POST|DELETE /:id/like: one like per user; repeating either is harmless. */
export function likeRoutes(posts: Posts): Router {
  const router = Router();

  router.post('/:id/like', requireAuth, validateRequest([]), async (req, res) => {
    res.json(await posts.like(signedInUser(req), String(req.params.id)));
  });

  router.delete('/:id/like', requireAuth, validateRequest([]), async (req, res) => {
    res.json(await posts.unlike(signedInUser(req), String(req.params.id)));
  });

  return router;
}
