import { RetryLaterError } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';
import { bodyEdit, deletion, newComment } from './comment-changes';
import { decisionChange } from './moderation-decision';

const created = new Date('2030-01-01T10:00:00Z');
const now = new Date('2030-01-02T10:00:00Z');
const id = '0123456789abcdef01234567';

function comment(overrides: Partial<CommentRecord> = {}): CommentRecord {
  const fresh = newComment({ postId: 'post-1', authorId: 'ann-id', authorUsername: 'ann', body: 'Nice' }, id, created);
  return { ...fresh, version: 0, outbox: [], ...overrides };
}

describe('comment changes', () => {
  it('starts a comment pending, its text at version 0, no decision yet', () => {
    expect(comment()).toMatchObject({
      status: 'pending',
      reason: '',
      bodyVersion: 0,
      moderationVersion: -1,
      deleted: false,
    });
  });

  it('sends new text back to moderation, at the version that writes it', () => {
    const approved = comment({ version: 1, status: 'approved', reason: 'ok', moderationVersion: 0 });
    const edit = bodyEdit(approved, 'Nicer', now);
    expect(edit?.set).toEqual({ body: 'Nicer', status: 'pending', reason: '', updatedAt: now, bodyVersion: 2 });
    expect(edit?.event).toMatchObject({
      subject: 'comment.updated',
      data: { id, body: 'Nicer', status: 'pending', updatedAt: now.toISOString(), createdAt: created.toISOString() },
    });
  });

  it('changes nothing for the same text or a deleted comment', () => {
    expect(bodyEdit(comment(), 'Nice', now)).toBeUndefined();
    expect(bodyEdit(comment({ deleted: true }), 'Other', now)).toBeUndefined();
  });

  it('erases the text at deletion, once', () => {
    expect(deletion(comment(), now)).toEqual({
      set: { deleted: true, deletedAt: now, body: '' },
      event: { subject: 'comment.deleted', data: { id, postId: 'post-1' } },
    });
    expect(deletion(comment({ deleted: true }), now)).toBeUndefined();
  });
});

describe('a decision applied', () => {
  const decision = { moderationVersion: 0, commentVersion: 0, status: 'rejected' as const, reason: 'blocked' };

  it('sets the status and reason, keeps the text version and records the decision version', () => {
    const change = decisionChange(comment(), decision);
    expect(change?.set).toEqual({ status: 'rejected', reason: 'blocked', bodyVersion: 0, moderationVersion: 0 });
    expect(change?.event).toMatchObject({
      subject: 'comment.updated',
      data: { status: 'rejected', reason: 'blocked' },
    });
  });

  it('changes nothing when applied already, stale or about a deleted comment', () => {
    const decided = comment({ version: 1, status: 'rejected', reason: 'blocked', moderationVersion: 0 });
    expect(decisionChange(decided, decision)).toBeUndefined();
    expect(decisionChange(comment({ version: 1, bodyVersion: 1 }), decision)).toBeUndefined();
    expect(decisionChange(comment({ deleted: true }), decision)).toBeUndefined();
  });

  it('waits (RetryLaterError) for a version not written yet', () => {
    expect(() => decisionChange(comment(), { ...decision, commentVersion: 1 })).toThrow(RetryLaterError);
  });
});
