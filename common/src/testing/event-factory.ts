import { randomBytes } from 'node:crypto';
import {
  newEvent,
  type AnyEventEnvelope,
  type EventBus,
  type EventData,
  type EventEnvelope,
  type Subject,
} from '@postline/common';

export function newId(): string {
  return randomBytes(12).toString('hex');
}

/**
 * Builds events as the owning services would publish them: each aggregate's
 * versions start at 0 and rise by one (a follow is a change of the follower,
 * a like of the post; a moderation decision has versions of its own). Tests
 * publish them in any order, twice, or not at all.
 */
export class EventFactory {
  private readonly versions = new Map<string, number>();
  private readonly clock = { now: Date.parse('2026-01-01T00:00:00Z') };

  constructor(private readonly bus: EventBus) {}

  private next<S extends Subject>(
    subject: S,
    aggregateId: string,
    data: EventData<S>,
    producer: string,
  ): EventEnvelope<S> {
    const version = (this.versions.get(aggregateId) ?? -1) + 1;
    this.versions.set(aggregateId, version);
    return newEvent(subject, { producer, aggregateId, version, data });
  }

  /** A timestamp one second after the previous one, so "newest first" is well defined. */
  tick(): string {
    this.clock.now += 1000;
    return new Date(this.clock.now).toISOString();
  }

  userCreated(fields: Partial<EventData<'user.created'>> = {}) {
    const id = fields.id ?? newId();
    const data = { id, username: `u${id.slice(0, 10)}`, role: 'user' as const, bio: '', image: '', ...fields };
    return this.next('user.created', id, data, 'auth');
  }

  userUpdated(profile: EventData<'user.updated'>) {
    return this.next('user.updated', profile.id, profile, 'auth');
  }

  followed(followerId: string, followeeId: string) {
    return this.next('user.followed', followerId, { followerId, followeeId }, 'auth');
  }

  unfollowed(followerId: string, followeeId: string) {
    return this.next('user.unfollowed', followerId, { followerId, followeeId }, 'auth');
  }

  postCreated(author: { id: string; username: string }, fields: Partial<EventData<'post.created'>> = {}) {
    const id = fields.id ?? newId();
    const at = this.tick();
    const data = {
      id,
      authorId: author.id,
      authorUsername: author.username,
      title: `Post ${id.slice(0, 6)}`,
      slug: `post-${id}`,
      body: `Body of post **${id}**`,
      tags: [],
      createdAt: at,
      updatedAt: at,
      ...fields,
    };
    return this.next('post.created', id, data, 'posts');
  }

  postUpdated(post: EventData<'post.created'>, changes: Partial<EventData<'post.updated'>>) {
    return this.next('post.updated', post.id, { ...post, updatedAt: this.tick(), ...changes }, 'posts');
  }

  postDeleted(post: { id: string; authorId: string }) {
    return this.next('post.deleted', post.id, { id: post.id, authorId: post.authorId }, 'posts');
  }

  liked(postId: string, userId: string, likeCount: number) {
    return this.next('post.liked', postId, { postId, userId, likeCount }, 'posts');
  }

  unliked(postId: string, userId: string, likeCount: number) {
    return this.next('post.unliked', postId, { postId, userId, likeCount }, 'posts');
  }

  commentCreated(
    postId: string,
    author: { id: string; username: string },
    fields: Partial<EventData<'comment.created'>> = {},
  ) {
    const id = fields.id ?? newId();
    const at = this.tick();
    const data = {
      id,
      postId,
      authorId: author.id,
      authorUsername: author.username,
      body: `Comment ${id.slice(0, 6)}`,
      status: 'pending' as const,
      reason: '',
      createdAt: at,
      updatedAt: at,
      ...fields,
    };
    return this.next('comment.created', id, data, 'comments');
  }

  commentUpdated(comment: EventData<'comment.created'>, changes: Partial<EventData<'comment.updated'>>) {
    return this.next('comment.updated', comment.id, { ...comment, updatedAt: this.tick(), ...changes }, 'comments');
  }

  commentDeleted(comment: { id: string; postId: string }) {
    return this.next('comment.deleted', comment.id, { id: comment.id, postId: comment.postId }, 'comments');
  }

  /** A decision; its aggregate is the moderation record for the comment (versions of its own). */
  moderated(
    comment: { id: string; postId: string },
    commentVersion: number,
    status: 'approved' | 'rejected',
    reason = '',
  ) {
    return this.next(
      'comment.moderated',
      `moderation-${comment.id}`,
      { commentId: comment.id, postId: comment.postId, commentVersion, status, reason },
      'moderation',
    );
  }

  async publish(...events: AnyEventEnvelope[]): Promise<void> {
    for (const event of events) await this.bus.publish(event);
  }
}
