import { ConflictError, NotFoundError } from '@postline/common';
import type { ModerationRecord } from '../data-access/moderation-record-model';
import { planDecision } from './review-queue';

/** A moderator's decision planned on plain records: deciding the queue, overturning, and what is refused. */

const now = new Date('2026-11-24T12:00:00Z');
const earlier = new Date('2026-11-24T11:00:00Z');

type Record = Parameters<typeof planDecision>[0];

function record(fields: Partial<ModerationRecord>): Record {
  return {
    _id: 'c1',
    commentVersion: 0,
    deleted: false,
    awaitingReview: false,
    review: null,
    decisions: [],
    standing: null,
    ...fields,
  };
}

const rulesRejection = record({
  commentVersion: 1, // the comments service announced the rejection (version 1); the text is version 0
  decisions: [
    { commentVersion: 0, status: 'rejected', reason: 'blocked word: orange', decidedBy: 'rules', decidedAt: earlier },
  ],
  standing: {
    commentVersion: 0,
    body: 'an orange',
    status: 'rejected',
    reason: 'blocked word: orange',
    decidedBy: 'rules',
    decidedAt: earlier,
  },
});

const queued = record({
  awaitingReview: true,
  review: { commentVersion: 0, body: 'a scam?', flags: ['review word: scam'] },
});

function refusal(plan: () => unknown): { type: string; message: string; field?: string } {
  try {
    plan();
  } catch (err) {
    const { message, field } = err as ConflictError;
    return { type: (err as Error).constructor.name, message, ...(field ? { field } : {}) };
  }
  throw new Error('not refused');
}

describe('planDecision', () => {
  it('decides the version awaiting review and takes it out of the queue', () => {
    const { decided, change } = planDecision(queued, 'mod-1', { status: 'approved', reason: 'fair' }, now);
    expect(decided).toEqual({ commentId: 'c1', commentVersion: 0, status: 'approved', reason: 'fair' });
    expect(change).toEqual({
      set: {
        awaitingReview: false,
        review: null,
        queuedAt: null,
        standing: {
          commentVersion: 0,
          body: 'a scam?',
          status: 'approved',
          reason: 'fair',
          decidedBy: 'moderator',
          decidedAt: now,
        },
      },
      decision: { commentVersion: 0, status: 'approved', reason: 'fair', decidedBy: 'mod-1', decidedAt: now },
    });
  });

  it("overturns the rules' rejection: a new decision about the same text version, saying what it replaced", () => {
    const { decided, change } = planDecision(
      rulesRejection,
      'mod-1',
      { status: 'approved', reason: 'orange is a colour here', commentVersion: 0 },
      now,
    );
    expect(decided).toEqual({
      commentId: 'c1',
      commentVersion: 0,
      status: 'approved',
      reason: 'orange is a colour here',
      overturned: { status: 'rejected', reason: 'blocked word: orange', decidedBy: 'rules' },
    });
    expect(change.decision).toEqual({
      commentVersion: 0,
      status: 'approved',
      reason: 'orange is a colour here',
      decidedBy: 'mod-1',
      decidedAt: now,
    });
    expect(change.set).toEqual({
      standing: expect.objectContaining({ commentVersion: 0, body: 'an orange', decidedBy: 'moderator' }),
    });
  });

  it("overturns a moderator's approval, and then that overturn again", () => {
    const approved = planDecision(queued, 'mod-1', { status: 'approved', reason: 'fair' }, earlier);
    const afterApproval = record({ ...queued, ...approved.change.set, decisions: [approved.change.decision!] });
    const rejected = planDecision(afterApproval, 'mod-2', { status: 'rejected', reason: 'it is a scam' }, now);
    expect(rejected.decided.overturned).toEqual({ status: 'approved', reason: 'fair', decidedBy: 'moderator' });
    expect(rejected.change.decision).toMatchObject({ commentVersion: 0, status: 'rejected', decidedBy: 'mod-2' });
    const afterRejection = record({ ...afterApproval, ...rejected.change.set });
    expect(
      planDecision(afterRejection, 'mod-1', { status: 'approved', reason: 'checked: not a scam' }, now).decided,
    ).toMatchObject({ status: 'approved', overturned: { status: 'rejected', reason: 'it is a scam' } });
  });

  it('overturns the last decision of a record written before the standing decision was kept', () => {
    const legacy = record({ ...rulesRejection, standing: null });
    expect(planDecision(legacy, 'mod-1', { status: 'approved', reason: 'ok' }, now).decided.overturned).toEqual({
      status: 'rejected',
      reason: 'blocked word: orange',
      decidedBy: 'rules',
    });
  });

  it('refuses a stale version with a 409 naming the current one', () => {
    expect(
      refusal(() => planDecision(rulesRejection, 'm', { status: 'approved', reason: 'x', commentVersion: 2 })),
    ).toEqual({
      type: 'ConflictError',
      message: 'Version 2 is stale: version 0 is the current text',
      field: 'commentVersion',
    });
    expect(refusal(() => planDecision(queued, 'm', { status: 'approved', reason: 'x', commentVersion: 1 }))).toEqual({
      type: 'ConflictError',
      message: 'Version 1 is stale: version 0 awaits review',
      field: 'commentVersion',
    });
  });

  it('refuses a decision that changes nothing, a deleted comment, and a record with nothing decided', () => {
    expect(refusal(() => planDecision(rulesRejection, 'm', { status: 'rejected', reason: 'agreed' }))).toEqual({
      type: 'ConflictError',
      message: 'The comment is already rejected',
      field: 'status',
    });
    expect(
      refusal(() =>
        planDecision(record({ ...rulesRejection, deleted: true }), 'm', { status: 'approved', reason: 'x' }),
      ),
    ).toEqual({
      type: 'NotFoundError',
      message: 'Comment not found',
    });
    expect(refusal(() => planDecision(record({}), 'm', { status: 'approved', reason: 'x' }))).toEqual({
      type: 'ConflictError',
      message: 'Comment is not awaiting review',
    });
    // the errors are the HTTP ones the routes answer with
    expect(() => planDecision(record({ deleted: true }), 'm', { status: 'approved', reason: 'x' })).toThrow(
      NotFoundError,
    );
  });
});
