import { EventFactory } from '@postline/common/testing';
import type { StoredComment } from '../../data-access/read-models';
import { decisionRelevance, projectComment } from './comments';

const applied = (p: ReturnType<typeof projectComment>) => {
  if (p.outcome !== 'apply') throw new Error(`expected apply, got ${p.outcome}`);
  return p;
};

describe('the comments projection', () => {
  const author = { id: 'author1', username: 'ann' };
  const setup = () => {
    const events = new EventFactory();
    const created = events.commentCreated('post1', author, { body: 'first text' });
    const comment: StoredComment = applied(projectComment(undefined, 'live', created)).after;
    return { events, created, comment };
  };

  it('creates a pending comment for a live post, waits for an unknown post, drops one of a deleted post', () => {
    const { created, comment } = setup();
    expect(comment).toMatchObject({ status: 'pending', version: 0, bodyVersion: 0, moderation: {}, deleted: false });
    expect(applied(projectComment(undefined, 'live', created)).effects).toEqual({
      approved: false,
      wasApproved: false,
    });
    expect(projectComment(undefined, 'unknown', created).outcome).toBe('wait');
    expect(projectComment(undefined, 'deleted', created)).toEqual({ outcome: 'skip' });
    expect(projectComment(comment, 'live', created)).toEqual({ outcome: 'skip' });
  });

  it('takes the status from the decision, counted when approved', () => {
    const { events, created, comment } = setup();
    const approved = applied(projectComment(comment, undefined, events.moderated(created.data, 0, 'approved', 'fine')));
    expect(approved.after).toMatchObject({
      status: 'approved',
      reason: 'fine',
      version: 0,
      moderation: { [created.data.id]: 0 },
    });
    expect(approved.effects).toEqual({ approved: true, wasApproved: false });
  });

  it('never lets a status-only update change the status: the decision is the one source', () => {
    const { events, created, comment } = setup();
    const decided = applied(projectComment(comment, undefined, events.moderated(created.data, 0, 'approved'))).after;
    // the comments service's update written before it applied the decision, arriving after it
    const restated = applied(
      projectComment(
        decided,
        undefined,
        events.commentUpdated(created.data, { body: 'first text', status: 'pending' }),
      ),
    );
    expect(restated.after).toMatchObject({ status: 'approved', version: 1, bodyVersion: 0 });
    expect(restated.effects).toEqual({ approved: true, wasApproved: true });
  });

  it('ignores the decidedVersion a comment stored before 2026-12-08 keeps (the shape is not bumped for it)', () => {
    const { events, created, comment } = setup();
    const old = { ...comment, status: 'approved' as const, decidedVersion: 5 };
    const rejected = applied(projectComment(old, undefined, events.moderated(created.data, 0, 'rejected', 'no')));
    expect(rejected.after).toMatchObject({ status: 'rejected', reason: 'no', decidedVersion: 5 });
    expect(rejected.effects).toEqual({ approved: false, wasApproved: true });
  });

  it('makes new text pending, and never lets a decision about older text apply to it', () => {
    const { events, created, comment } = setup();
    const approved = applied(projectComment(comment, undefined, events.moderated(created.data, 0, 'approved'))).after;
    const edited = applied(
      projectComment(approved, undefined, events.commentUpdated(created.data, { body: 'second', status: 'pending' })),
    );
    expect(edited.after).toMatchObject({ status: 'pending', body: 'second', version: 1, bodyVersion: 1 });
    expect(edited.effects).toEqual({ approved: false, wasApproved: true });
    const stale = applied(projectComment(edited.after, undefined, events.moderated(created.data, 0, 'approved')));
    expect(stale.after).toMatchObject({ status: 'pending', moderation: { [created.data.id]: 1 } });
    expect(projectComment(edited.after, undefined, events.moderated(created.data, 2, 'approved')).outcome).toBe('wait');
  });

  it('orders decisions by their own record, and skips one applied already', () => {
    const { events, created, comment } = setup();
    const first = events.moderated(created.data, 0, 'approved');
    const overturn = events.moderated(created.data, 0, 'rejected', 'spam');
    expect(projectComment(comment, undefined, overturn).outcome).toBe('wait');
    const approved = applied(projectComment(comment, undefined, first)).after;
    expect(projectComment(approved, undefined, first)).toEqual({ outcome: 'skip' });
    const rejected = applied(projectComment(approved, undefined, overturn));
    expect(rejected.after).toMatchObject({ status: 'rejected', reason: 'spam' });
    expect(rejected.effects).toEqual({ approved: false, wasApproved: true });
  });

  it('leaves a tombstone on deletion, uncounted, and a later decision keeps its reason cleared', () => {
    const { events, created, comment } = setup();
    const approved = applied(projectComment(comment, undefined, events.moderated(created.data, 0, 'approved'))).after;
    const deleted = applied(projectComment(approved, undefined, events.commentDeleted(created.data)));
    expect(deleted.after).toMatchObject({ deleted: true, body: '', reason: '', version: 1 });
    expect(deleted.effects).toEqual({ approved: false, wasApproved: true });
    const late = applied(
      projectComment(deleted.after, undefined, events.moderated(created.data, 0, 'rejected', 'why')),
    );
    expect(late.after).toMatchObject({ status: 'rejected', reason: '' });
  });

  it('waits for a comment not known yet, unless its post is gone', () => {
    const { events, created } = setup();
    const update = events.commentUpdated(created.data, { body: 'x' });
    expect(projectComment(undefined, 'live', update).outcome).toBe('wait');
    expect(projectComment(undefined, 'deleted', update)).toEqual({ outcome: 'skip' });
    expect(projectComment(undefined, 'unknown', events.moderated(created.data, 0, 'approved')).outcome).toBe('wait');
  });
});

describe('whether a moderation decision applies to the read model’s comment', () => {
  // text written at version 2, then a status-only change raised the comment to 3
  const comment = { version: 3, bodyVersion: 2 };

  it('applies to the text we hold, also after a status-only version', () => {
    expect(decisionRelevance(comment, 2)).toBe('apply');
    expect(decisionRelevance(comment, 3)).toBe('apply');
  });

  it('is stale about older text and waits for a version not seen yet', () => {
    expect(decisionRelevance(comment, 1)).toBe('stale');
    expect(decisionRelevance(comment, 4)).toBe('wait');
  });
});
