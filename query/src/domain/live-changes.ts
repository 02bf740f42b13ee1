import type { AnyEventEnvelope, Subject } from '@postline/common';
import type { LiveEvents } from '@postline/common/api';
import type { StoredComment, StoredPost } from '../data-access/read-models';
import { commentJsonOf } from './answers';
import { changeLabel, type ChangeLabels } from './change-labels';
import { allPosts } from './post-lists';
import { isPublic } from './visibility';

/**
 * What `GET /api/query/live` pushes: the state, after an applied event, of what
 * a post page or a signed-in user shows, on the channel allowed to see it.
 *
 * - `post:<postId>` (anyone reading the post): approved comments as everyone
 *   sees them (reason ""), the removal of a comment that stopped being public
 *   (deleted, or no longer approved), the post's counts, its edits and its
 *   deletion. A pending or rejected comment is never sent here: only its
 *   disappearance when it was public before (or on a redelivery: its id,
 *   nothing else).
 * - `user:<userId>` (the signed-in user only): their own comments, in every
 *   status, with the reason.
 *
 * Every comment change carries `rev`, which grows with every change applied to
 * the comment (its version plus each moderation record's), so a client keeps
 * the newest whatever order duplicates and replays arrive in.
 */
export type LiveChange = {
  [E in 'comment' | 'comment-removed' | 'post' | 'post-deleted']: { channel: string; event: E; data: LiveEvents[E] };
}['comment' | 'comment-removed' | 'post' | 'post-deleted'];

export const liveChannel = {
  post: (postId: string) => `post:${postId}`,
  user: (userId: string) => `user:${userId}`,
  /** Stands for every `user:` channel: a change whose author the event does not name. */
  anyUser: 'user:*',
} as const;

/**
 * An applied change as the replica that applied it announces it for the live streams: what it is
 * about, not what it shows. Each replica reads it back (`liveChangesReader`) only if one of its own
 * streams follows a channel it may concern (`liveChannelsOf`), so a change nobody watches costs no read.
 */
export interface LiveAbout {
  subject: LiveSubject;
  labels: ChangeLabels;
  postId: string;
  commentId?: string;
  /** The comment's author, when the event names it (comment.created and comment.updated do). */
  authorId?: string;
}

const liveSubjects = [
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'comment.moderated',
  'post.updated',
  'post.liked',
  'post.unliked',
  'post.deleted',
] as const;
type LiveSubject = (typeof liveSubjects)[number];
const isLiveSubject = (subject: Subject): subject is LiveSubject =>
  (liveSubjects as readonly Subject[]).includes(subject);

/** What an applied event is about for the live streams; undefined when it shows on none (or changed nothing). */
export function liveAboutOf(event: AnyEventEnvelope, labels: ChangeLabels): LiveAbout | undefined {
  const { subject } = event;
  if (labels.length === 0 || !isLiveSubject(subject)) return undefined;
  switch (event.subject) {
    case 'comment.created':
    case 'comment.updated':
      return { subject, labels, postId: event.data.postId, commentId: event.data.id, authorId: event.data.authorId };
    case 'comment.deleted':
      return { subject, labels, postId: event.data.postId, commentId: event.data.id };
    case 'comment.moderated':
      return { subject, labels, postId: event.data.postId, commentId: event.data.commentId };
    default:
      return { subject, labels, postId: event.aggregateId };
  }
}

/** The channels a change may show on: the post's, and for a comment its author's (any user's when unnamed). */
export function liveChannelsOf(about: Pick<LiveAbout, 'postId' | 'commentId' | 'authorId'>): string[] {
  const post = liveChannel.post(about.postId);
  if (about.commentId === undefined) return [post];
  return [post, about.authorId === undefined ? liveChannel.anyUser : liveChannel.user(about.authorId)];
}

export type LivePost = Pick<
  StoredPost,
  '_id' | 'authorId' | 'likeCount' | 'commentCount' | 'updatedAt' | 'version' | 'deleted' | 'published'
>;

/** The post fields a live change reads (one document by id, after the write). */
export const livePostProjection = {
  authorId: 1,
  likeCount: 1,
  published: 1,
  commentCount: 1,
  updatedAt: 1,
  version: 1,
  deleted: 1,
} as const;

/** Grows by one with every event applied to the comment: its own and each moderation record's. */
export function commentRev(comment: Pick<StoredComment, 'version' | 'moderation'>): number {
  let rev = comment.version;
  for (const applied of Object.values(comment.moderation ?? {})) rev += applied + 1;
  return rev;
}

const counts = (post: LivePost | null | undefined, postId: string) => ({
  id: postId,
  likeCount: post?.likeCount ?? 0,
  commentCount: post?.commentCount ?? 0,
});

/**
 * The live changes of a comment event, given the comment and its post as they are after it. A
 * comment on a post that is not public (a draft, or deleted) goes to nobody but the post's author:
 * not even the comment's own author hears that the post still exists.
 */
export function commentLiveChanges(
  labels: ChangeLabels,
  comment: StoredComment | null,
  post: LivePost | null,
): LiveChange[] {
  if (!comment || labels.length === 0 || !post) return [];
  if (!isPublic(post) && comment.authorId !== post.authorId) return [];
  const rev = commentRev(comment);
  const { _id: id, postId } = comment;
  const changes: LiveChange[] = [
    comment.deleted
      ? { channel: liveChannel.user(comment.authorId), event: 'comment-removed', data: { id, postId, rev } }
      : {
          channel: liveChannel.user(comment.authorId),
          event: 'comment',
          data: { comment: commentJsonOf(comment, comment.reason), rev },
        },
  ];
  // A draft has no public page (and takes no comments): its author's own channel only.
  if (!isPublic(post)) return changes;
  if (!comment.deleted && comment.status === 'approved') {
    changes.push({
      channel: liveChannel.post(postId),
      event: 'comment',
      data: { comment: commentJsonOf(comment, ''), rev, post: counts(post, postId) },
    });
  } else if (labels.includes(changeLabel.post(postId))) {
    // The post's own label: the approved count was synced, so the comment may have been public until now.
    changes.push({
      channel: liveChannel.post(postId),
      event: 'comment-removed',
      data: { id, postId, rev, post: counts(post, postId) },
    });
  }
  return changes;
}

/**
 * Whether the change took a public post out of the lists, as its labels say: it was public until
 * now. A redelivery's labels (`repairLists`, with every tag list) cannot tell, so they say no:
 * a reader of a post unpublished during a crash learns it on their next read, and no draft's
 * change is ever mistaken for one.
 */
function leftPublicLists(labels: ChangeLabels): boolean {
  return labels.includes(changeLabel.list(allPosts)) && !labels.includes(changeLabel.anyTagList);
}

/** The live changes of a post event, given the post as it is after it. */
export function postLiveChanges(
  subject: Subject,
  labels: ChangeLabels,
  postId: string,
  post: LivePost | null,
): LiveChange[] {
  if (labels.length === 0 || subject === 'post.created') return [];
  if (!post) return [];
  // A post deleted or unpublished (back to a draft) is gone for its readers; a draft's likes, edits
  // and deletion are nobody's: not even that its id exists reaches a stream that guessed it.
  if (post.deleted || post.published === false)
    return leftPublicLists(labels)
      ? [{ channel: liveChannel.post(postId), event: 'post-deleted', data: { id: postId } }]
      : [];
  return [
    {
      channel: liveChannel.post(postId),
      event: 'post',
      data: {
        post: {
          ...counts(post, postId),
          updatedAt: post.updatedAt.toISOString(),
          version: post.version,
        },
        // Likes change the counts only; an edit (title, body, tags) changes the page: the client re-reads it.
        contentChanged: subject === 'post.updated',
      },
    },
  ];
}
