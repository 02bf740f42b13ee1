import type { EventFactory } from '@postline/common/testing';
import type { AnyEventEnvelope } from '@postline/common';

/**
 * A realistic mix of every subject, as the services would publish it: users
 * who follow each other, posts with tags, likes and unlikes, comments that are
 * moderated, edited and moderated again, deletions of comments and of posts,
 * drafts (some published later) and posts from before drafts (no status).
 */
export function workload(events: EventFactory, size: { users: number; postsPerUser: number }): AnyEventEnvelope[] {
  const out: AnyEventEnvelope[] = [];
  const users = Array.from({ length: size.users }, () => events.userCreated());
  out.push(...users);
  const people = users.map((u) => u.data);
  people.forEach((u, i) => {
    const next = people[(i + 1) % people.length]!;
    if (next.id !== u.id) out.push(events.followed(u.id, next.id));
  });
  out.push(events.userUpdated({ ...people[0]!, bio: 'first user' }));
  people.forEach((author, i) => {
    for (let p = 0; p < size.postsPerUser; p++) {
      // Every fifth post from the fourth on starts as a draft; every other one of those is published later.
      const draft = p % 5 === 3 ? { status: 'draft' as const, publishedAt: null, publishAt: null } : {};
      const post = events.postCreated(author, { tags: [`tag${p % 3}`, `user${i % 2}`], ...draft });
      out.push(post);
      const liker = people[(i + 1) % people.length]!;
      out.push(events.liked(post.data.id, liker.id, 1));
      const comment = events.commentCreated(post.data.id, liker);
      out.push(
        comment,
        events.moderated(comment.data, 0, p % 2 === 0 ? 'approved' : 'rejected', p % 2 === 0 ? '' : 'blocked word'),
      );
      if (p % 3 === 0) {
        const edited = events.commentUpdated(comment.data, { body: 'edited text', status: 'pending', reason: '' });
        out.push(edited, events.moderated(comment.data, 1, 'approved'));
        out.push(events.unliked(post.data.id, liker.id, 0));
      }
      if (p % 5 === 3 && i % 2 === 0) {
        out.push(events.postUpdated(post.data, { status: 'published', publishedAt: new Date().toISOString() }));
      }
      if (p % 4 === 1) out.push(events.commentDeleted(comment.data));
      if (p % 5 === 4) out.push(events.postDeleted(post.data));
      else if (p % 5 === 2)
        out.push(events.postUpdated(post.data, { title: `Edited ${post.data.title}`, tags: ['edited'] }));
    }
  });
  return out;
}
