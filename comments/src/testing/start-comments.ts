import { newEvent, type EventData } from '@postline/common';
import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { commentsConfigSchema } from '../config';
import { commentModel } from '../data-access/comment-model';
import { postReplicaModel } from '../data-access/post-replica-model';
import { commentsService } from '../service';

export interface CommentsUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  comments: ReturnType<typeof commentModel>;
  posts: ReturnType<typeof postReplicaModel>;
}

/**
 * The comments service in-process against the test servers, in a namespace of its
 * own (or a given one, to run beside other services).
 */
export async function startComments(
  namespace?: string,
  overrides: Record<string, string> = {},
): Promise<CommentsUnderTest> {
  const started = await startServiceUnderTest({
    name: 'comments',
    loadConfig: commentsConfigSchema.load,
    define: commentsService,
    record: ['post', 'comment'],
    namespace,
    // No write limit in the way of the suites; it is tested on its own.
    env: { WRITE_RATE_LIMIT_MAX: '100000', ...overrides },
  });
  const { db } = started.service.context;
  return { ...started, http: supertest(started.baseUrl), comments: commentModel(db), posts: postReplicaModel(db) };
}

/** A post.created as the posts service would publish it. */
export function postCreated(fields: { id?: string; authorId?: string } = {}) {
  const id = fields.id ?? new Types.ObjectId().toHexString();
  const now = new Date().toISOString();
  const data: EventData<'post.created'> = {
    id,
    authorId: fields.authorId ?? new Types.ObjectId().toHexString(),
    authorUsername: 'postauthor',
    title: 'A post',
    slug: `a-post-${id}`,
    body: 'Some text',
    tags: [],
    createdAt: now,
    updatedAt: now,
  };
  return newEvent('post.created', { producer: 'posts', aggregateId: id, version: 0, data });
}

export function postDeleted(post: { id: string; authorId: string }, version = 1) {
  return newEvent('post.deleted', {
    producer: 'posts',
    aggregateId: post.id,
    version,
    data: { id: post.id, authorId: post.authorId },
  });
}

/** A comment.moderated as the moderation service would publish it (at its record's `version`). */
export function commentModerated(
  comment: { id: string; postId: string },
  decision: { commentVersion: number; status: 'approved' | 'rejected'; reason?: string },
  version = 0,
) {
  return newEvent('comment.moderated', {
    producer: 'moderation',
    aggregateId: comment.id,
    version,
    data: { commentId: comment.id, postId: comment.postId, reason: '', ...decision },
  });
}
