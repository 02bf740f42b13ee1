import { Types } from 'mongoose';

/**
 * The id of a new aggregate (a post, a comment, a user): an ObjectId's 24
 * lower-case hex digits, so ids sort by creation time and read the same in
 * every service, every event and every URL.
 */
export function newAggregateId(): string {
  return new Types.ObjectId().toHexString();
}
