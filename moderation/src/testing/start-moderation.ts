import { newEvent, type EventData } from '@postline/common';
import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import { Types } from 'mongoose';
import supertest from 'supertest';
import { moderationConfigSchema } from '../config';
import { moderationRecordModel } from '../data-access/moderation-record-model';
import { moderationService } from '../service';

export interface ModerationUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  records: ReturnType<typeof moderationRecordModel>;
}

/**
 * The moderation service in-process against the test servers, in a namespace of its
 * own (or a given one, to run beside other services).
 */
export async function startModeration(
  namespace?: string,
  overrides: Record<string, string> = {},
): Promise<ModerationUnderTest> {
  const started = await startServiceUnderTest({
    name: 'moderation',
    loadConfig: moderationConfigSchema.load,
    define: moderationService,
    record: ['comment'],
    namespace,
    env: overrides,
  });
  const { db } = started.service.context;
  return { ...started, http: supertest(started.baseUrl), records: moderationRecordModel(db) };
}

export type CommentSnapshot = EventData<'comment.created'>;

/** A comment.created as the comments service would publish it. */
export function commentCreated(body: string, fields: Partial<CommentSnapshot> = {}) {
  const now = new Date().toISOString();
  const data: CommentSnapshot = {
    id: new Types.ObjectId().toHexString(),
    postId: new Types.ObjectId().toHexString(),
    authorId: new Types.ObjectId().toHexString(),
    authorUsername: 'commenter',
    body,
    status: 'pending',
    reason: '',
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  return newEvent('comment.created', { producer: 'comments', aggregateId: data.id, version: 0, data });
}

/** A later version of the comment: an edit (`pending`, new body) or a status announcement. */
export function commentUpdated(comment: CommentSnapshot, version: number, changes: Partial<CommentSnapshot>) {
  return newEvent('comment.updated', {
    producer: 'comments',
    aggregateId: comment.id,
    version,
    data: { ...comment, ...changes },
  });
}

export function commentDeleted(comment: CommentSnapshot, version: number) {
  return newEvent('comment.deleted', {
    producer: 'comments',
    aggregateId: comment.id,
    version,
    data: { id: comment.id, postId: comment.postId },
  });
}
