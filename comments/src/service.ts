import { ReplicaCatchUp, WriteLimits, type ServiceDefinition } from '@postline/common';
import type { CommentsConfig } from './config';
import { commentModel } from './data-access/comment-model';
import { CommentRepository } from './data-access/comment-repository';
import { postReplicaModel } from './data-access/post-replica-model';
import { PostReplicaRepository } from './data-access/post-replica-repository';
import { Comments } from './domain/comments';
import { PostLifecycle } from './domain/post-lifecycle';
import { registerModerationListener } from './entry-points/events/moderation-listener';
import { registerPostListeners } from './entry-points/events/post-listeners';
import { commentRoutes } from './entry-points/http/comment-routes';

/**
 * comments: comments and their moderation status. Publishes comment.created,
 * comment.updated, comment.deleted; consumes post.created, post.deleted
 * (a local replica of posts) and comment.moderated.
 */
export function commentsService(config: CommentsConfig): ServiceDefinition<CommentsConfig> {
  // Shared by the routes and the post listener: a comment naming a post not replicated yet waits for it.
  const postsCatchUp = new ReplicaCatchUp({ windowMs: config.REPLICA_WAIT_MS });
  return {
    name: 'comments',
    prefix: '/api/comments',
    outboxModels: (db) => [commentModel(db)],
    prepare: async ({ db }) => {
      await commentModel(db).init();
      await postReplicaModel(db).init();
    },
    routes: ({ db, relay }) =>
      commentRoutes(
        new Comments(new CommentRepository(db, relay), new PostReplicaRepository(db), postsCatchUp),
        new WriteLimits(config).for('writes'),
      ),
    listeners: (listener, { db, relay }) => {
      const comments = new CommentRepository(db, relay);
      registerPostListeners(listener, new PostLifecycle(new PostReplicaRepository(db), comments), postsCatchUp);
      registerModerationListener(listener, comments);
    },
  };
}
