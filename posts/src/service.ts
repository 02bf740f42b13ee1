import { Router } from 'express';
import { WriteLimits, type ServiceDefinition } from '@postline/common';
import type { PostsConfig } from './config';
import { authorModel } from './data-access/author-model';
import { AuthorRepository } from './data-access/author-repository';
import { postModel } from './data-access/post-model';
import { PostRepository } from './data-access/post-repository';
import { Posts } from './domain/posts';
import { registerUserListeners } from './entry-points/events/user-listeners';
import { likeRoutes } from './entry-points/http/like-routes';
import { postRoutes } from './entry-points/http/post-routes';
import { startDueCheck, type DueCheck } from './entry-points/timers/publish-due';

/** posts: posts and likes. Publishes post.*; consumes user.* for the author replica; publishes scheduled drafts when due. */
export function postsService(config: PostsConfig): ServiceDefinition<PostsConfig> {
  let dueCheck: DueCheck | undefined;
  return {
    name: 'posts',
    prefix: '/api/posts',
    outboxModels: (db) => [postModel(db)],
    prepare: async ({ db }) => {
      await postModel(db).init(); // the unique slug index
      await authorModel(db).init();
    },
    routes: ({ db, relay, logger }) => {
      const posts = new Posts(new PostRepository(db, relay), new AuthorRepository(db));
      // Started with the routes: it writes through the outbox like they do.
      dueCheck = startDueCheck(posts, config.POSTS_DUE_CHECK_MS, logger);
      const router = Router();
      const limits = new WriteLimits(config);
      router.use(likeRoutes(posts, limits.for('reactions')));
      router.use(postRoutes(posts, limits.for('writes')));
      return router;
    },
    stopping: () => dueCheck?.stop(),
    listeners: (listener, { db }) => {
      registerUserListeners(listener, new AuthorRepository(db));
    },
  };
}
