import { Router, type RequestHandler } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, signedInUser, validateRequest } from '@postline/common';
import type { Comments } from '../../domain/comments';
import { createCommentRules, editCommentRules } from './validators';

/** POST /, GET /:id, PUT /:id, DELETE /:id; `writeLimit` bounds how fast one user creates, edits and deletes. */
export function commentRoutes(comments: Comments, writeLimit: RequestHandler): Router {
  const router = Router();

  router.post('/', requireAuth, writeLimit, validateRequest(createCommentRules), async (req, res) => {
    const input = matchedData<{ postId: string; body: string }>(req);
    res.status(201).json(await comments.create(signedInUser(req), input));
  });

  router.get('/:id', async (req, res) => {
    res.json(await comments.get(String(req.params.id), req.currentUser));
  });

  router.put('/:id', requireAuth, writeLimit, validateRequest(editCommentRules), async (req, res) => {
    const { body } = matchedData<{ body: string }>(req);
    res.json(await comments.edit(signedInUser(req), String(req.params.id), body));
  });

  router.delete('/:id', requireAuth, writeLimit, async (req, res) => {
    await comments.delete(signedInUser(req), String(req.params.id));
    res.json({});
  });

  return router;
}
