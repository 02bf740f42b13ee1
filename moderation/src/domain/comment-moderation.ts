import { decideApply, RetryLaterError, type EventEnvelope } from '@postline/common';
import type { ModerationRecordRepository, RecordChange } from '../data-access/moderation-record-repository';
import type { ModerationRecord } from '../data-access/moderation-record-model';
import type { ModerationRules } from '../rules/moderation-rules';
import { judge } from './judge';

type CommentVersionEvent = EventEnvelope<'comment.created'> | EventEnvelope<'comment.updated'>;

/**
 * Judges each new text of a comment, once: the record keeps the comment
 * version it has applied, so a redelivered event is a no-op and one that skips
 * a version waits (RetryLaterError) for the missing one.
 */
export class CommentModeration {
  constructor(
    private readonly records: ModerationRecordRepository,
    private readonly rules: ModerationRules,
  ) {}

  async commentVersionSeen(event: CommentVersionEvent): Promise<void> {
    // Only version 0 starts a record, inserted without a read first: a second delivery finds it taken.
    if (event.version === 0) {
      const judgement = this.judgement(event);
      const inserted = await this.records.insert(
        {
          _id: event.aggregateId,
          postId: event.data.postId,
          authorId: event.data.authorId,
          authorUsername: event.data.authorUsername,
          commentVersion: event.version,
          deleted: false,
          awaitingReview: false,
          review: null,
          queuedAt: null,
          standing: null,
          createdAt: new Date(),
          ...judgement.set,
        },
        judgement.decision,
      );
      if (inserted) return;
      // Taken (a redelivery, or another replica was first): from here on an ordinary, version-checked change.
    } else if (event.data.status !== 'pending') {
      // A status announcement (the comments service applying a decision) is recorded as seen and
      // decides nothing: one write where the record is at the version before; otherwise (a
      // redelivery, a gap) the read below says which.
      const seen = this.judgement(event);
      if (
        await this.records.changeAt(event.aggregateId, event.version - 1, {
          ...seen.set,
          authorUsername: event.data.authorUsername,
        })
      )
        return;
    }
    const record = await this.records.change(event.aggregateId, (current) => {
      if (decideApply(current.commentVersion, event.version, `comment ${current._id}`) === 'already-applied')
        return undefined;
      const judgement = this.judgement(event);
      return { set: { authorUsername: event.data.authorUsername, ...judgement.set }, decision: judgement.decision };
    });
    if (!record)
      throw new RetryLaterError(`comment ${event.aggregateId} is not known yet: comment.created must come first`);
  }

  async commentDeleted(event: EventEnvelope<'comment.deleted'>): Promise<void> {
    const changed = await this.records.change(event.aggregateId, (record) => {
      if (decideApply(record.commentVersion, event.version, `comment ${record._id}`) === 'already-applied')
        return undefined;
      return {
        set: {
          commentVersion: event.version,
          deleted: true,
          awaitingReview: false,
          review: null,
          queuedAt: null,
          standing: null,
        },
      };
    });
    if (!changed)
      throw new RetryLaterError(`comment ${event.aggregateId} is not known yet: comment.created must come first`);
  }

  /**
   * New text (status pending) is judged; a comment.updated that only announces
   * a status (moderation's own decision, applied) is recorded as seen, not
   * judged again — judging it would decide the same text forever.
   */
  private judgement(event: CommentVersionEvent): RecordChange {
    const seen: Partial<ModerationRecord> = { commentVersion: event.version };
    if (event.data.status !== 'pending') return { set: seen };
    const verdict = judge(event.data.body, this.rules);
    if (verdict.outcome === 'review') {
      return {
        set: {
          ...seen,
          awaitingReview: true,
          review: { commentVersion: event.version, body: event.data.body, flags: verdict.flags },
          queuedAt: new Date(),
          standing: null,
        },
      };
    }
    const decidedAt = new Date();
    const decision = { commentVersion: event.version, status: verdict.outcome, reason: verdict.reason, decidedAt };
    return {
      set: {
        ...seen,
        awaitingReview: false,
        review: null,
        queuedAt: null,
        standing: { ...decision, body: event.data.body, decidedBy: 'rules' },
      },
      decision: { ...decision, decidedBy: 'rules' },
    };
  }
}
