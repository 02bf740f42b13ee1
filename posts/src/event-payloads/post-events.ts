import { validateEventData, type EventData } from '@postline/common';
import type { PostRecord } from '../data-access/post-model';

/**
 * The snapshot `post.created` and `post.updated` carry. Checked against the
 * catalogue before it is written, so an event the relay could never publish
 * is refused with the request instead of sticking in the outbox.
 */
export function postSnapshotData(
  post: Pick<
    PostRecord,
    | '_id'
    | 'authorId'
    | 'authorUsername'
    | 'title'
    | 'slug'
    | 'body'
    | 'tags'
    | 'createdAt'
    | 'updatedAt'
    | 'status'
    | 'publishedAt'
    | 'publishAt'
  >,
): EventData<'post.created'> {
  return validateEventData('post.created', {
    id: post._id,
    authorId: post.authorId,
    authorUsername: post.authorUsername,
    title: post.title,
    slug: post.slug,
    body: post.body,
    tags: [...post.tags],
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    status: post.status,
    publishedAt: publishedAtOf(post)?.toISOString() ?? null,
    publishAt: post.publishAt?.toISOString() ?? null,
  });
}

export function postDeletedData(post: Pick<PostRecord, '_id' | 'authorId'>): EventData<'post.deleted'> {
  return { id: post._id, authorId: post.authorId };
}

/** `post.liked` and `post.unliked`: who, and the count after the change. */
export function likeData(postId: string, userId: string, likeCount: number): EventData<'post.liked'> {
  return { postId, userId, likeCount };
}

/** When the post was published; a post stored before drafts existed was published when created. */
export function publishedAtOf(post: Pick<PostRecord, 'status' | 'publishedAt' | 'createdAt'>): Date | null {
  return post.publishedAt ?? (post.status === 'published' ? post.createdAt : null);
}
