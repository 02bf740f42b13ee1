import { EventFactory } from '@postline/common/testing';
import type { StoredPost } from '../../data-access/read-models';
import { changeLabel } from '../change-labels';
import { projectPost, redeliveredLabels } from './posts';

const applied = (p: ReturnType<typeof projectPost>) => {
  if (p.outcome !== 'apply') throw new Error(`expected apply, got ${p.outcome}`);
  return p;
};

describe('the posts projection', () => {
  const author = { id: 'author1', username: 'ann' };

  it('creates a published post in all, its author’s and its tags’ lists, with excerpt and reading time', () => {
    const events = new EventFactory();
    const created = events.postCreated(author, { tags: ['a', 'b'], body: '# Title\n\nsome *words*' });
    const p = applied(projectPost(undefined, created));
    expect(p.after).toMatchObject({ excerpt: 'Title some words', readingMinutes: 1, published: true, commentCount: 0 });
    expect(p.effects.lists).toEqual({ add: ['all', 'author:author1', 'tag:a', 'tag:b'], remove: [] });
    expect(p.effects.labels).toEqual([
      changeLabel.post(created.data.id),
      changeLabel.postText(created.data.id),
      ...['all', 'author:author1', 'tag:a', 'tag:b'].map(changeLabel.list),
      changeLabel.tags,
      changeLabel.username('ann'),
    ]);
  });

  it('puts a draft in no list, and moves it into them when published; an old event without status is published', () => {
    const events = new EventFactory();
    const draft = events.postCreated(author, { status: 'draft', tags: ['a'] });
    const d = applied(projectPost(undefined, draft));
    expect(d.after).toMatchObject({ published: false, publishedAt: null });
    expect(d.effects.lists).toEqual({ add: [], remove: [] });
    const published = applied(
      projectPost(d.after, events.postUpdated(draft.data, { status: 'published', publishedAt: draft.data.createdAt })),
    );
    expect(published.effects.lists.add).toEqual(['all', 'author:author1', 'tag:a']);
    expect(published.effects.labels).toContain(changeLabel.username('ann'));
    const { status: _none, ...old } = events.postCreated(author).data;
    expect(applied(projectPost(undefined, events.at(0).postCreated(author, old))).after.published).toBe(true);
  });

  it('moves a post between tag lists on an edit, and keeps the comment counts a post event does not own', () => {
    const events = new EventFactory();
    const created = events.postCreated(author, { tags: ['a'] });
    const before: StoredPost = {
      ...applied(projectPost(undefined, created)).after,
      commentCount: 2,
      approvedComments: { c1: 1, c2: 1 },
    };
    const edited = applied(projectPost(before, events.postUpdated(created.data, { tags: ['b'] })));
    expect(edited.effects.lists).toEqual({ add: ['tag:b'], remove: ['tag:a'] });
    expect(edited.after).toMatchObject({ commentCount: 2, approvedComments: { c1: 1, c2: 1 }, version: 1 });
    const retitled = applied(
      projectPost(edited.after, events.postUpdated(created.data, { tags: ['b'], title: 'New' })),
    );
    expect(retitled.effects.labels).toEqual([changeLabel.post(created.data.id), changeLabel.postText(created.data.id)]);
  });

  it('keeps likers once each with the count the event carries', () => {
    const events = new EventFactory();
    const created = events.postCreated(author);
    const post = applied(projectPost(undefined, created)).after;
    const liked = applied(projectPost(post, events.liked(post._id, 'u1', 1)));
    expect(liked.after).toMatchObject({ likers: ['u1'], likeCount: 1 });
    expect(liked.effects).toEqual({
      lists: { add: [], remove: [] },
      removeComments: false,
      labels: [changeLabel.post(post._id)],
    });
    const unliked = applied(projectPost(liked.after, events.unliked(post._id, 'u1', 0)));
    expect(unliked.after).toMatchObject({ likers: [], likeCount: 0 });
  });

  it('leaves a tombstone on deletion, out of every list, its comments and counts gone', () => {
    const events = new EventFactory();
    const created = events.postCreated(author, { tags: ['a'] });
    const post = {
      ...applied(projectPost(undefined, created)).after,
      commentCount: 1,
      approvedComments: { c: 1 as const },
    };
    const deleted = applied(projectPost(post, events.postDeleted(created.data)));
    expect(deleted.after).toMatchObject({
      deleted: true,
      body: '',
      title: '',
      tags: [],
      commentCount: 0,
      approvedComments: {},
    });
    expect(deleted.effects.lists).toEqual({ add: [], remove: ['all', 'author:author1', 'tag:a'] });
    expect(deleted.effects.removeComments).toBe(true);
    expect(projectPost(deleted.after, created)).toEqual({ outcome: 'skip' });
  });

  it('skips duplicates, waits for a gap or an unknown post, and repairs every list after a redelivery', () => {
    const events = new EventFactory();
    const created = events.postCreated(author);
    const post = applied(projectPost(undefined, created)).after;
    expect(projectPost(post, created)).toEqual({ outcome: 'skip' });
    expect(projectPost(post, events.at(2).liked(post._id, 'u', 1)).outcome).toBe('wait');
    expect(projectPost(undefined, events.at(1).liked(post._id, 'u', 1)).outcome).toBe('wait');
    expect(redeliveredLabels(created, post)).toEqual(
      expect.arrayContaining([changeLabel.list('all'), changeLabel.anyTagList, changeLabel.list('author:author1')]),
    );
    expect(redeliveredLabels(events.liked(post._id, 'u', 1), post)).toEqual([changeLabel.post(post._id)]);
  });
});
