import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, signedInUser, validateRequest, type WriteLimits } from '@postline/common';
import type { Profiles } from '../../domain/profiles';
import { updateProfileRules } from './validators';

/** PATCH /me, GET /:username, POST|DELETE /:username/follow; edits and follows have write limits. */
export function profileRoutes(profiles: Profiles, limits: WriteLimits): Router {
  const router = Router();

  router.patch('/me', requireAuth, limits.for('profile'), validateRequest(updateProfileRules), async (req, res) => {
    const user = signedInUser(req);
    await profiles.update(user.id, matchedData<{ bio?: string; image?: string }>(req));
    res.json(await profiles.get(user.username, user.id));
  });

  router.get('/:username', async (req, res) => {
    res.json(await profiles.get(String(req.params.username).toLowerCase(), req.currentUser?.id));
  });

  router.post('/:username/follow', requireAuth, limits.for('reactions'), async (req, res) => {
    res.json(await profiles.follow(signedInUser(req).id, String(req.params.username).toLowerCase()));
  });

  router.delete('/:username/follow', requireAuth, limits.for('reactions'), async (req, res) => {
    res.json(await profiles.unfollow(signedInUser(req).id, String(req.params.username).toLowerCase()));
  });

  return router;
}
