import { decisionEffect, textVersion } from './moderation-decision';

/** Which moderation decisions apply to a comment, on plain objects. */

const pending = {
  version: 0,
  status: 'pending' as const,
  reason: '',
  deleted: false,
  bodyVersion: 0,
  moderationVersion: -1,
};
// rejected by the rules (moderation v0 about text v0), which raised the comment to v1
const rejected = {
  ...pending,
  version: 1,
  status: 'rejected' as const,
  reason: 'blocked word: orange',
  moderationVersion: 0,
};
const decision = (moderationVersion: number, commentVersion: number, status: 'approved' | 'rejected' = 'approved') => ({
  moderationVersion,
  commentVersion,
  status,
  reason: 'because',
});

describe('decisionEffect', () => {
  it('applies the first decision about the current text, and an overturn after it', () => {
    expect(decisionEffect(pending, decision(0, 0))).toBe('apply');
    expect(decisionEffect(rejected, decision(1, 0))).toBe('apply');
  });

  it('applies each decision once: a duplicate, or an overturned decision arriving after its overturn, is ignored', () => {
    expect(decisionEffect(rejected, decision(0, 0, 'rejected'))).toBe('already-applied');
    const overturned = { ...rejected, version: 2, status: 'approved' as const, moderationVersion: 1 };
    expect(decisionEffect(overturned, decision(0, 0, 'rejected'))).toBe('already-applied');
    expect(decisionEffect(overturned, decision(1, 0))).toBe('already-applied');
    expect(decisionEffect({ ...rejected, moderationVersion: -1 }, decision(1, 0))).toBe('apply'); // v1 before v0
  });

  it('waits for text not written yet, ignores decisions about older text and deleted comments', () => {
    expect(decisionEffect(pending, decision(0, 1))).toBe('wait');
    const edited = { ...rejected, version: 2, status: 'pending' as const, bodyVersion: 2 };
    expect(decisionEffect(edited, decision(1, 0))).toBe('stale');
    expect(decisionEffect(edited, decision(1, 2))).toBe('apply');
    expect(decisionEffect({ ...rejected, deleted: true }, decision(1, 0))).toBe('comment-deleted');
  });

  it('on comments from before the versions were kept: the same decision again is a duplicate, an overturn applies', () => {
    const legacy = { ...rejected, bodyVersion: undefined, moderationVersion: undefined };
    expect(textVersion(legacy)).toBe(0);
    expect(textVersion({ ...legacy, status: 'pending' })).toBe(1);
    expect(decisionEffect(legacy, { ...decision(0, 0, 'rejected'), reason: 'blocked word: orange' })).toBe(
      'already-applied',
    );
    expect(decisionEffect(legacy, decision(1, 0))).toBe('apply');
  });
});
