import { RetryLaterError, decideApply, isDuplicateKeyError } from '@postline/common';
import type { Connection, Model } from 'mongoose';
import { authorModel, type Author } from './author-model';

export type ReplicaOutcome = 'applied' | 'already-applied';

/**
 * The author replica. Each write is guarded by the version it was decided
 * on, so two deliveries of events of one user handled at once (a redelivery
 * overlapping a slow handler) cannot both apply.
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

  /**
   * Applies version `version` of user `userId`: the new username if the event
   * carries one, otherwise only the version (events that change nothing we
   * keep, but count in the user's version sequence).
   * @throws RetryLaterError if the event skips a version or lost a race
   */
  async apply(userId: string, version: number, username?: string): Promise<ReplicaOutcome> {
    const current = await this.findById(userId);
    if (decideApply(current?.version, version, `author ${userId}`) === 'already-applied') return 'already-applied';
    if (!current) {
      if (username === undefined) throw new RetryLaterError(`author ${userId} is not known yet`);
      try {
        await this.model.create({ _id: userId, username, version });
      } catch (err) {
        if (isDuplicateKeyError(err)) throw new RetryLaterError(`author ${userId} was created concurrently`);
        throw err;
      }
      return 'applied';
    }
    const result = await this.model.updateOne(
      { _id: userId, version: current.version },
      { $set: { version, ...(username === undefined ? {} : { username }) } },
    );
    if (result.matchedCount === 0) throw new RetryLaterError(`author ${userId} changed concurrently`);
    return 'applied';
  }
}
