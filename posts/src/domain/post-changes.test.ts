import type { PostRecord } from '../data-access/post-model';
import { contentEdit, deletion, isDeleted, like, newPost, publicationChange, unlike } from './post-changes';

const created = new Date('2030-01-01T10:00:00Z');
const now = new Date('2030-01-02T10:00:00Z');

function post(overrides: Partial<PostRecord> = {}): PostRecord {
  return {
    ...newPost(
      {
        title: 'Hello',
        body: 'World',
        tags: ['a', 'b'],
        authorId: 'ann-id',
        authorUsername: 'ann',
        status: 'published',
        publishedAt: created,
        publishAt: null,
      },
      '0123456789abcdef01234567',
      'hello',
      created,
    ),
    version: 3,
    outbox: [],
    ...overrides,
  };
}

describe('post changes', () => {
  it('starts a post with no likes, not deleted, created and updated at once', () => {
    const fresh = post();
    expect(fresh).toMatchObject({ slug: 'hello', likedBy: [], likeCount: 0, deletedAt: null, updatedAt: created });
    expect(isDeleted(fresh)).toBe(false);
    expect(isDeleted(post({ deletedAt: now }))).toBe(true);
  });

  it('edits only what changed, and an edit that changes nothing is no change', () => {
    expect(contentEdit(post(), {}, 'ann', now)).toBeUndefined();
    expect(contentEdit(post(), { title: 'Hello', body: 'World', tags: ['a', 'b'] }, 'ann', now)).toBeUndefined();

    const retitled = contentEdit(post(), { title: 'Hi' }, 'ann2', now);
    expect(retitled?.set).toEqual({
      title: 'Hi',
      body: 'World',
      tags: ['a', 'b'],
      authorUsername: 'ann2',
      updatedAt: now,
    });
    expect(retitled?.event).toMatchObject({
      subject: 'post.updated',
      data: { title: 'Hi', authorUsername: 'ann2', updatedAt: now.toISOString(), createdAt: created.toISOString() },
    });
  });

  it('treats reordered tags as a change (the order is the author’s)', () => {
    expect(contentEdit(post(), { tags: ['b', 'a'] }, 'ann', now)?.set?.tags).toEqual(['b', 'a']);
    expect(contentEdit(post(), { tags: ['a'] }, 'ann', now)?.set?.tags).toEqual(['a']);
  });

  it('announces a new publication without touching updatedAt', () => {
    const next = { status: 'draft' as const, publishedAt: null, publishAt: null };
    const change = publicationChange(post(), next);
    expect(change.set).toEqual(next);
    expect(change.event).toMatchObject({
      subject: 'post.updated',
      data: { status: 'draft', updatedAt: created.toISOString() },
    });
  });

  it('erases the content and the likes at deletion, and announces who wrote it', () => {
    const change = deletion(post({ likedBy: ['bob-id'], likeCount: 1 }), now);
    expect(change.set).toEqual({ deletedAt: now, title: '', body: '', tags: [], likedBy: [], likeCount: 0 });
    expect(change.event).toEqual({
      subject: 'post.deleted',
      data: { id: '0123456789abcdef01234567', authorId: 'ann-id' },
    });
  });

  it('counts a like once: liking twice and unliking what is not liked change nothing', () => {
    const first = like(post(), 'bob-id');
    expect(first).toEqual({
      set: { likeCount: 1 },
      addTo: { likedBy: 'bob-id' },
      event: { subject: 'post.liked', data: { postId: '0123456789abcdef01234567', userId: 'bob-id', likeCount: 1 } },
    });
    const liked = post({ likedBy: ['bob-id'], likeCount: 1 });
    expect(like(liked, 'bob-id')).toBeUndefined();
    expect(unlike(post(), 'bob-id')).toBeUndefined();
    expect(unlike(liked, 'bob-id')).toMatchObject({
      set: { likeCount: 0 },
      pullFrom: { likedBy: 'bob-id' },
      event: { subject: 'post.unliked', data: { likeCount: 0 } },
    });
  });

  it('counts likes from the list, not from a drifted counter', () => {
    expect(like(post({ likedBy: ['x', 'y'], likeCount: 7 }), 'bob-id')?.set?.likeCount).toBe(3);
  });
});
