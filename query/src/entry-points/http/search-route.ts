import { Router } from 'express';
import { matchedData } from 'express-validator';
import { validateRequest } from '@postline/common';
import type { SearchIndex } from '../../data-access/search-index';
import { defaultSearchLimit, searchRules } from './validators';

/**
 * GET /search?q=&page=&limit=: published posts matching every word of `q`
 * (titles, bodies, tags), best first, with the matched words marked. Answered
 * from this replica's in-memory index (search-index.ts); never cached by HTTP,
 * since the next event may change it.
 */
export function searchRoutes(index: SearchIndex): Router {
  const router = Router();
  router.get('/search', validateRequest(searchRules), (req, res) => {
    const { q, page, limit } = matchedData<{ q: string; page?: number; limit?: number }>(req, {
      locations: ['query'],
    });
    res.set('Cache-Control', 'no-store');
    res.json(index.search(q, page ?? 1, limit ?? defaultSearchLimit));
  });
  return router;
}
