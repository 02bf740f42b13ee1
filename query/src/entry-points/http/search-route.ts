import { Router } from 'express';
import { matchedData } from 'express-validator';
import { validateRequest } from '@postline/common';
import type { SearchIndex } from '../../data-access/search-index';
import { defaultSearchLimit, searchRules, type SearchBounds } from './validators';

/**
 * GET /search?q=&page=&limit=: published posts matching every word of `q`
 * (titles, bodies, tags), best first, with the matched words marked. Answered
 * from this replica's in-memory index (search-index.ts); never cached by HTTP,
 * since the next event may change it. A query past `bounds` (too long, too many
 * words, too many results a page) is a 400 before the index is touched.
 */
export function searchRoutes(index: SearchIndex, bounds: SearchBounds): Router {
  const router = Router();
  router.get('/search', validateRequest(searchRules(bounds)), (req, res) => {
    const { q, page, limit } = matchedData<{ q: string; page?: number; limit?: number }>(req, {
      locations: ['query'],
    });
    res.set('Cache-Control', 'no-store');
    res.json(index.search(q, page ?? 1, limit ?? defaultSearchLimit));
  });
  return router;
}
