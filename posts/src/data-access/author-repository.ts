import { applyInOrder, collectionOf, type ApplyOutcome, type DocChange, type EventEnvelope } from '@postline/common';
import type { Connection, Model } from 'mongoose';
import { authorModel, type Author } from './author-model';

/**
 * The author replica: auth's users as posts needs them. Written by common's `applyInOrder`, so
 * each user event is applied once and in version order, however deliveries overlap.
 */
export class AuthorRepository {
  readonly model: Model<Author>;

  constructor(db: Connection) {
    this.model = authorModel(db);
  }

  async usernameOf(userId: string): Promise<string | undefined> {
    const author = await this.model.findById(userId, { username: 1 }).lean();
    return author?.username;
  }

  findById(userId: string): Promise<Author | null> {
    return this.model.findById(userId).lean();
  }

  /** @throws RetryLaterError if the event skips a version, or the author is not known yet */
  apply(event: EventEnvelope, change: DocChange<Author>): Promise<ApplyOutcome> {
    return applyInOrder(collectionOf(this.model), event, change, { what: `author ${event.aggregateId}` });
  }
}
