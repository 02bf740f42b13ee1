import type { OutboxFields, PlainChange } from '@postline/common';
import type { PostRecord } from '../data-access/post-model';
import { likeData, postDeletedData, postSnapshotData } from '../event-payloads/post-events';
import type { Publication } from './post-rules';

/**
 * What may happen to a stored post, decided over the post as it is at the
 * moment of writing (a plain object): each function returns the change and
 * the event announcing it, or undefined when nothing is to change (and so
 * nothing is announced). The repository only writes what these decide.
 */

type PostSubject = 'post.created' | 'post.updated' | 'post.deleted' | 'post.liked' | 'post.unliked';

/** A post's change: fields set, a like added or taken back (`likedBy`), and its event. */
export type PostChange = PlainChange<PostRecord, PostSubject>;

export type ContentChanges = Partial<Pick<PostRecord, 'title' | 'body' | 'tags'>>;

/** A new post's stored fields: no likes, not deleted, created (and updated) now. */
export function newPost(
  fields: Pick<PostRecord, 'title' | 'body' | 'tags' | 'authorId' | 'authorUsername'> & Publication,
  id: string,
  slug: string,
  now: Date,
): Omit<PostRecord, keyof OutboxFields> {
  return { _id: id, ...fields, slug, likedBy: [], likeCount: 0, createdAt: now, updatedAt: now, deletedAt: null };
}

/** A deleted post is a tombstone: it accepts no change, and `post.deleted` stays its last event. */
export function isDeleted(post: Pick<PostRecord, 'deletedAt'>): boolean {
  return post.deletedAt !== null && post.deletedAt !== undefined;
}

/**
 * An edit of the title, body or tags; one that changes nothing is no change
 * (nothing is announced). The author's username is refreshed with it.
 */
export function contentEdit(
  post: PostRecord,
  changes: ContentChanges,
  authorUsername: string,
  now: Date,
): PostChange | undefined {
  const next = {
    title: changes.title ?? post.title,
    body: changes.body ?? post.body,
    tags: changes.tags ?? post.tags,
  };
  const unchanged = next.title === post.title && next.body === post.body && sameList(next.tags, post.tags);
  if (unchanged) return undefined;
  const set = { ...next, authorUsername, updatedAt: now };
  return { set, event: { subject: 'post.updated', data: postSnapshotData({ ...post, ...set }) } };
}

/**
 * A new publication (published, draft, scheduled; see post-rules), announced
 * as `post.updated`; `updatedAt` (content last edited) stays.
 */
export function publicationChange(post: PostRecord, next: Publication): PostChange {
  return { set: { ...next }, event: { subject: 'post.updated', data: postSnapshotData({ ...post, ...next }) } };
}

/** Deleting erases the content and the likes; the tombstone keeps its slug, author and version. */
export function deletion(post: PostRecord, now: Date): PostChange {
  return {
    set: { deletedAt: now, title: '', body: '', tags: [], likedBy: [], likeCount: 0 },
    event: { subject: 'post.deleted', data: postDeletedData(post) },
  };
}

/** Liking twice is harmless: no change, no second event. The event carries the count after it. */
export function like(post: PostRecord, userId: string): PostChange | undefined {
  if (post.likedBy.includes(userId)) return undefined;
  const likeCount = post.likedBy.length + 1;
  return {
    set: { likeCount },
    addTo: { likedBy: userId },
    event: { subject: 'post.liked', data: likeData(post._id, userId, likeCount) },
  };
}

/** Taking back a like that is not there is harmless too. */
export function unlike(post: PostRecord, userId: string): PostChange | undefined {
  if (!post.likedBy.includes(userId)) return undefined;
  const likeCount = post.likedBy.length - 1;
  return {
    set: { likeCount },
    pullFrom: { likedBy: userId },
    event: { subject: 'post.unliked', data: likeData(post._id, userId, likeCount) },
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
