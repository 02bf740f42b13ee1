import { Router, type RequestHandler } from 'express';
import { matchedData } from 'express-validator';
import { requireRole, signedInUser, validateRequest } from '@postline/common';
import type { ReviewQueue } from '../../domain/review-queue';
import { decisionRules, decisionsRules, queueRules } from './validators';

/** GET /queue, GET /decisions and POST /comments/:id/decision, for moderators only; `decisionLimit` bounds how fast. */
export function moderationRoutes(queue: ReviewQueue, decisionLimit: RequestHandler): Router {
  const router = Router();

  router.get('/queue', requireRole('moderator'), validateRequest(queueRules), async (req, res) => {
    const { page = 1, limit = 50 } = matchedData<{ page?: number; limit?: number }>(req);
    res.json(await queue.list(page, limit));
  });

  // The decisions that stand, newest first: ?decidedBy=rules&status=rejected is the rules' recent rejections.
  router.get('/decisions', requireRole('moderator'), validateRequest(decisionsRules), async (req, res) => {
    const {
      page = 1,
      limit = 50,
      ...filter
    } = matchedData<{
      page?: number;
      limit?: number;
      decidedBy?: 'rules' | 'moderator';
      status?: 'approved' | 'rejected';
    }>(req);
    res.json(await queue.decisions(filter, page, limit));
  });

  router.post(
    '/comments/:id/decision',
    requireRole('moderator'),
    decisionLimit,
    validateRequest(decisionRules),
    async (req, res) => {
      const input = matchedData<{ status: 'approved' | 'rejected'; reason: string; commentVersion?: number }>(req);
      res.json(await queue.decide(signedInUser(req), String(req.params.id), input));
    },
  );

  return router;
}
