import { Router, type RequestHandler } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, signedInUser, validateRequest } from '@postline/common';
import type { NewPostInput, Posts } from '../../domain/posts';
import { createPostRules, schedulePostRules, updatePostRules } from './validators';

/**
 * POST /, GET|PUT|DELETE /:id, POST /:id/publish|unpublish|schedule;
 * `writeLimit` bounds how fast one user creates, edits, publishes, schedules and deletes.
 */
export function postRoutes(posts: Posts, writeLimit: RequestHandler): Router {
  const router = Router();

  router.post('/', requireAuth, writeLimit, validateRequest(createPostRules), async (req, res) => {
    const input = matchedData<NewPostInput>(req);
    res.status(201).json(await posts.create(signedInUser(req), { ...input, tags: input.tags ?? [] }));
  });

  router.get('/:id', async (req, res) => {
    res.json(await posts.get(req.currentUser, String(req.params.id)));
  });

  router.post('/:id/publish', requireAuth, writeLimit, validateRequest([]), async (req, res) => {
    res.json(await posts.publish(signedInUser(req), String(req.params.id)));
  });

  router.post('/:id/unpublish', requireAuth, writeLimit, validateRequest([]), async (req, res) => {
    res.json(await posts.unpublish(signedInUser(req), String(req.params.id)));
  });

  router.post('/:id/schedule', requireAuth, writeLimit, validateRequest(schedulePostRules), async (req, res) => {
    const { publishAt } = matchedData<{ publishAt: string }>(req);
    res.json(await posts.schedule(signedInUser(req), String(req.params.id), publishAt));
  });

  router.put('/:id', requireAuth, writeLimit, validateRequest(updatePostRules), async (req, res) => {
    const changes = matchedData<Partial<NewPostInput>>(req);
    res.json(await posts.update(signedInUser(req), String(req.params.id), changes));
  });

  router.delete('/:id', requireAuth, writeLimit, validateRequest([]), async (req, res) => {
    await posts.delete(signedInUser(req), String(req.params.id));
    res.json({});
  });

  return router;
}
