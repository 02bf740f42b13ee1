import { z } from 'zod';

/**
 * The event catalogue: every subject Postline publishes, with the schema its
 * `data` must satisfy. Publishers and listeners are typed from this one table,
 * and every message is validated against it at runtime on both sides.
 */
const id = z.string().min(1).max(64);
const isoDate = z.iso.datetime({ offset: true });
const tags = z.array(z.string().min(1).max(40)).max(10);
const commentStatus = z.enum(['pending', 'approved', 'rejected']);

const userProfile = z.object({
  id,
  username: z.string().min(1).max(30),
  role: z.enum(['user', 'moderator']),
  bio: z.string().max(500),
  image: z.string().max(500),
});

const follow = z.object({ followerId: id, followeeId: id });

const postSnapshot = z.object({
  id,
  authorId: id,
  authorUsername: z.string().min(1).max(30),
  title: z.string().min(1).max(200),
  slug: z.string().min(1).max(260),
  body: z.string().max(100_000),
  tags,
  createdAt: isoDate,
  updatedAt: isoDate,
  /**
   * Drafts and publishing. Optional so that events published before drafts
   * existed still validate: a snapshot without `status` is a published post,
   * published at its `createdAt`. `publishedAt` is null while a draft;
   * `publishAt` is the time a draft is scheduled to be published, or null.
   */
  status: z.enum(['draft', 'published']).optional(),
  publishedAt: isoDate.nullable().optional(),
  publishAt: isoDate.nullable().optional(),
});

const like = z.object({ postId: id, userId: id, likeCount: z.number().int().min(0) });

const commentSnapshot = z.object({
  id,
  postId: id,
  authorId: id,
  authorUsername: z.string().min(1).max(30),
  body: z.string().min(1).max(5_000),
  status: commentStatus,
  /**
   * Why the comment has its status (the moderation decision's reason; empty
   * while pending). Optional so events published before it existed still validate.
   */
  reason: z.string().max(500).optional(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const eventCatalogue = {
  'user.created': userProfile,
  'user.updated': userProfile,
  'user.followed': follow,
  'user.unfollowed': follow,
  'post.created': postSnapshot,
  'post.updated': postSnapshot,
  'post.deleted': z.object({ id, authorId: id }),
  'post.liked': like,
  'post.unliked': like,
  'comment.created': commentSnapshot,
  'comment.updated': commentSnapshot,
  'comment.deleted': z.object({ id, postId: id }),
  /**
   * A moderation decision about one version of a comment. `commentVersion` is
   * the comment's version that was judged, so a decision about older text
   * never approves newer text. A moderator may overturn a decision: a later
   * event (the record's next version) about the same `commentVersion`; every
   * consumer keeps the latest decision about the current text. `decidedBy`
   * says whose decision it is (optional: events from before it existed).
   */
  'comment.moderated': z.object({
    commentId: id,
    postId: id,
    commentVersion: z.number().int().min(0),
    status: z.enum(['approved', 'rejected']),
    reason: z.string().max(500),
    decidedBy: z.enum(['rules', 'moderator']).optional(),
  }),
  /**
   * A session ended before its token expired: signed out, or ended by a password change, a reset
   * or a change of role. Every replica of every service refuses the session's token from then on,
   * until `expiresAt`, when the token would be refused anyway. `aggregateId` is the session id.
   */
  'session.ended': z.object({ id, userId: id, expiresAt: isoDate }),
} as const;

/**
 * The one service that publishes each subject. NATS lets each service's user publish only these
 * (`./permissions.ts`), so a service cannot speak for another: comments cannot approve a comment.
 */
export const publisherOf = {
  'user.created': 'auth',
  'user.updated': 'auth',
  'user.followed': 'auth',
  'user.unfollowed': 'auth',
  'post.created': 'posts',
  'post.updated': 'posts',
  'post.deleted': 'posts',
  'post.liked': 'posts',
  'post.unliked': 'posts',
  'comment.created': 'comments',
  'comment.updated': 'comments',
  'comment.deleted': 'comments',
  'comment.moderated': 'moderation',
  'session.ended': 'auth',
} as const satisfies Record<keyof typeof eventCatalogue, string>;

export type Subject = keyof typeof eventCatalogue;
export type EventData<S extends Subject> = z.infer<(typeof eventCatalogue)[S]>;
export const subjects = Object.keys(eventCatalogue) as Subject[];

/**
 * Which aggregate's version sequence a subject's events count in. Most
 * subjects belong to the aggregate of their family; `comment.moderated` is
 * published by moderation about its own record of the comment (same
 * aggregateId as the comment, versions of its own).
 */
export function aggregateTypeOf(subject: Subject): string {
  return subject === 'comment.moderated' ? 'moderation' : subject.slice(0, subject.indexOf('.'));
}

export function isSubject(value: string): value is Subject {
  return Object.hasOwn(eventCatalogue, value);
}
