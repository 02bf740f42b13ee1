import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireRole, signedInUser, validateRequest } from '@postline/common';
import type { ReviewQueue } from '../../domain/review-queue';
import { decisionRules, queueRules } from './validators';

/** GET /queue and POST /comments/:id/decision, for moderators only. */
export function moderationRoutes(queue: ReviewQueue): Router {
  const router = Router();

  router.get('/queue', requireRole('moderator'), validateRequest(queueRules), async (req, res) => {
    const { limit = 50 } = matchedData<{ limit?: number }>(req);
    res.json({ items: await queue.list(limit) });
  });

  router.post('/comments/:id/decision', requireRole('moderator'), validateRequest(decisionRules), async (req, res) => {
    const input = matchedData<{ status: 'approved' | 'rejected'; reason: string; commentVersion?: number }>(req);
    res.json(await queue.decide(signedInUser(req), String(req.params.id), input));
  });

  return router;
}
