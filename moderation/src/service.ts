import { ReplicaCatchUp, WriteLimits, type ServiceDefinition } from '@postline/common';
import type { ModerationConfig } from './config';
import { moderationRecordModel } from './data-access/moderation-record-model';
import { ModerationRecordRepository } from './data-access/moderation-record-repository';
import { CommentModeration } from './domain/comment-moderation';
import { ReviewQueue } from './domain/review-queue';
import { registerCommentListeners } from './entry-points/events/comment-listeners';
import { moderationRoutes } from './entry-points/http/moderation-routes';

/**
 * moderation: rules, decisions and the review queue. Publishes
 * comment.moderated; consumes comment.created, comment.updated, comment.deleted.
 */
export function moderationService(config: ModerationConfig): ServiceDefinition<ModerationConfig> {
  // Shared by the routes and the comment listener: a decision naming a comment (or a version of
  // it) not replicated yet waits for it.
  const commentsCatchUp = new ReplicaCatchUp({ windowMs: config.REPLICA_WAIT_MS });
  return {
    name: 'moderation',
    prefix: '/api/moderation',
    outboxModels: (db) => [moderationRecordModel(db)],
    prepare: async ({ db }) => {
      await moderationRecordModel(db).init();
    },
    routes: ({ db, relay }) =>
      moderationRoutes(
        new ReviewQueue(new ModerationRecordRepository(db, relay), commentsCatchUp),
        new WriteLimits(config).for('decisions'),
      ),
    listeners: (listener, { db, relay }) => {
      registerCommentListeners(
        listener,
        new CommentModeration(new ModerationRecordRepository(db, relay), config.rules),
        commentsCatchUp,
      );
    },
  };
}
