import { randomBytes } from 'node:crypto';
import {
  newEvent,
  type AnyEventEnvelope,
  type EventBus,
  type EventData,
  type EventEnvelope,
  type Subject,
} from '../events';

/**
 * An id shaped like the services' own (a MongoDB ObjectId: its first 4 bytes are the second it was
 * made), so services that wait for a fresh id they have not heard of yet wait for this one too.
 */
export function newId(): string {
  const seconds = Math.floor(Date.now() / 1000);
  return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

/**
 * Builds events as the owning services would publish them: each aggregate's
 * versions start at 0 and rise by one (a follow is a change of the follower,
 * a like of the post; moderation's record of a comment has the comment's id and
 * versions of its own). Tests publish them in any order, twice, or not at all;
 * `at(version)` gives the next one a version of the test's choosing. The one
 * set of event builders for every service's tests.
 */
export class EventFactory {
  private readonly versions = new Map<string, number>();
  private readonly clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  private pinned?: number;

  /** `bus`: where `publish` sends them (building needs none). */
  constructor(private readonly bus?: EventBus) {}

  /** The next event built gets `version` instead of its aggregate's next one: tests about gaps, duplicates and order. */
  at(version: number): this {
    this.pinned = version;
    return this;
  }

  private next<S extends Subject>(
    subject: S,
    aggregateId: string,
    data: EventData<S>,
    producer: string,
    versionsOf = aggregateId,
  ): EventEnvelope<S> {
    const latest = this.versions.get(versionsOf) ?? -1;
    const version = this.pinned ?? latest + 1;
    this.pinned = undefined;
    this.versions.set(versionsOf, Math.max(latest, version));
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

  /** A decision; its aggregate is moderation's record of the comment: the comment's id, versions of its own. */
  moderated(
    comment: { id: string; postId: string },
    commentVersion: number,
    status: 'approved' | 'rejected',
    reason = '',
  ) {
    return this.next(
      'comment.moderated',
      comment.id,
      { commentId: comment.id, postId: comment.postId, commentVersion, status, reason },
      'moderation',
      `moderation:${comment.id}`,
    );
  }

  async publish(...events: AnyEventEnvelope[]): Promise<void> {
    if (!this.bus) throw new Error('this EventFactory has no bus to publish to');
    for (const event of events) await this.bus.publish(event);
  }
}
