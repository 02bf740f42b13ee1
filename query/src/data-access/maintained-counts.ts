import { RetryLaterError } from '@postline/common';
import type { mongo } from 'mongoose';
import type { StoredComment, StoredPost, StoredUser } from './read-models';
import { fieldKey } from './field-key';
import { isApproved } from '../domain/visibility';

/**
 * Counts kept in the documents the reads use, each changed by one conditional
 * single-document update, so that a redelivered event or a crash between two
 * writes can never count twice:
 *
 * - a post's approved comments: the comment's id is in the post's
 *   `approvedComments` exactly when `commentCount` counts it;
 * - a user's followers: recounted from the `following` index and set.
 *
 * Several events may sync one count at once (a comment and the decision
 * about it are different aggregates, handled concurrently), so each one, after
 * a write, reads the source again and repeats if it moved meanwhile: the last
 * write is always followed by a read that confirms it.
 */
const maxRounds = 5;

/**
 * Makes the post count the comment exactly when the comment is approved and
 * live. `approved`: the state the caller just wrote, when it knows it (saves a read).
 * @returns whether the count changed
 */
export async function syncApprovedComment(
  posts: mongo.Collection<StoredPost>,
  comments: mongo.Collection<StoredComment>,
  comment: { id: string; postId: string },
  approved?: boolean,
): Promise<boolean> {
  const key = `approvedComments.${fieldKey(comment.id)}`;
  const readState = async () =>
    isApproved(await comments.findOne({ _id: comment.id }, { projection: { status: 1, deleted: 1 } }));
  let want = approved ?? (await readState());
  let changed = false;
  for (let round = 0; round < maxRounds; round++) {
    const result = want
      ? await posts.updateOne(
          { _id: comment.postId, deleted: false, [key]: { $exists: false } } as mongo.Filter<StoredPost>,
          {
            $set: { [key]: 1 },
            $inc: { commentCount: 1 },
          } as mongo.UpdateFilter<StoredPost>,
        )
      : await posts.updateOne(
          { _id: comment.postId, [key]: { $exists: true } } as mongo.Filter<StoredPost>,
          {
            $unset: { [key]: '' },
            $inc: { commentCount: -1 },
          } as mongo.UpdateFilter<StoredPost>,
        );
    if (result.modifiedCount === 0) return changed;
    changed = true;
    const now = await readState();
    if (now === want) return true;
    want = now;
  }
  throw new RetryLaterError(`approved count of post ${comment.postId}: comment ${comment.id} keeps changing`);
}

/** Sets the user's follower count to the number of users following them (no-op for a user not known yet). */
export async function recountFollowers(users: mongo.Collection<StoredUser>, userId: string): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    const count = await users.countDocuments({ following: userId });
    const result = await users.updateOne(
      { _id: userId, followerCount: { $ne: count } },
      { $set: { followerCount: count } },
    );
    if (result.modifiedCount === 0) return;
    if ((await users.countDocuments({ following: userId })) === count) return;
  }
  throw new RetryLaterError(`follower count of user ${userId} keeps changing`);
}
