import type { EventData, EventEnvelope } from '@postline/common';
import type { StoredPost } from '../../data-access/read-models';
import { changeLabel, type ChangeLabels } from '../change-labels';
import { excerptOf } from '../excerpt';
import { allPosts, authorList, listChange, listsOf, tagList } from '../post-lists';
import { readingMinutesOf } from '../reading-time';
import { inOrder, skip, wait, type Projection } from './projection';

export type PostEvent =
  | EventEnvelope<'post.created'>
  | EventEnvelope<'post.updated'>
  | EventEnvelope<'post.liked'>
  | EventEnvelope<'post.unliked'>
  | EventEnvelope<'post.deleted'>;

type PostSnapshot = EventData<'post.created'>;

export interface PostEffects {
  /** The lists the post joins and leaves (their maintained totals follow). */
  lists: { add: string[]; remove: string[] };
  /** A deletion: the post's comments go too. */
  removeComments: boolean;
  labels: ChangeLabels;
}

/** A snapshot without a status comes from before drafts existed: a post published when created. */
export function publicationOf(data: PostSnapshot) {
  const published = data.status !== 'draft';
  return {
    published,
    publishedAt: published ? new Date(data.publishedAt ?? data.createdAt) : null,
    publishAt: data.publishAt ? new Date(data.publishAt) : null,
  };
}

function postContent(data: PostSnapshot) {
  return {
    slug: data.slug,
    title: data.title,
    body: data.body,
    excerpt: excerptOf(data.body),
    readingMinutes: readingMinutesOf(data.body),
    tags: data.tags,
    authorUsername: data.authorUsername,
    updatedAt: new Date(data.updatedAt),
    ...publicationOf(data),
  };
}

/** Deleted: a tombstone with the content cleared (a late duplicate of the creation cannot bring it back). */
const tombstone = {
  deleted: true,
  body: '',
  excerpt: '',
  readingMinutes: 0,
  title: '',
  tags: [],
  likers: [],
  likeCount: 0,
  approvedComments: {},
  commentCount: 0,
};

/**
 * posts: one document per post, and the lists it is in. Likes are changes of
 * the post (aggregate = the post, versions of the post) and carry the like
 * count after the change. The comment counts (`approvedComments`,
 * `commentCount`) are the comments projection's; a post event leaves them as
 * they are, except a deletion, which clears them.
 */
export function projectPost(current: StoredPost | undefined, event: PostEvent): Projection<StoredPost, PostEffects> {
  const order = inOrder(current?.version, event.version, `post ${event.aggregateId}`);
  if (order !== 'apply') return order === 'skip' ? skip : order;
  const version = event.version;
  let after: StoredPost;
  if (event.subject === 'post.created') {
    if (current) return wait(`post ${event.aggregateId}: creation at v${version} after v${current.version}`);
    const data = event.data;
    after = {
      _id: data.id,
      ...postContent(data),
      authorId: data.authorId,
      likeCount: 0,
      likers: [],
      approvedComments: {},
      commentCount: 0,
      createdAt: new Date(data.createdAt),
      version,
      deleted: false,
    };
  } else if (!current) {
    return wait(`post ${event.aggregateId} is not known yet (${event.subject} v${version})`);
  } else {
    after = { ...current, ...changeOf(current, event), version };
  }
  const lists = listsChangeOf(current, after);
  return {
    outcome: 'apply',
    after,
    effects: {
      lists,
      removeComments: event.subject === 'post.deleted',
      labels: appliedLabels(event, current, after, lists),
    },
  };
}

/** The lists a post joins and leaves between two states (none before its creation). */
export const listsChangeOf = (before: StoredPost | undefined, after: StoredPost) =>
  listChange(before ? listsOf(before) : [], listsOf(after));

function changeOf(current: StoredPost, event: Exclude<PostEvent, EventEnvelope<'post.created'>>): Partial<StoredPost> {
  switch (event.subject) {
    case 'post.updated':
      return postContent(event.data);
    case 'post.liked': {
      const { userId, likeCount } = event.data;
      return { likeCount, likers: current.likers.includes(userId) ? current.likers : [...current.likers, userId] };
    }
    case 'post.unliked': {
      const { userId, likeCount } = event.data;
      return { likeCount, likers: current.likers.filter((id) => id !== userId) };
    }
    case 'post.deleted':
      return tombstone;
  }
}

/** The lists whose membership (and total) changes between two states of a post, as labels. */
function listLabels({ add, remove }: { add: string[]; remove: string[] }): ChangeLabels {
  const lists = [...add, ...remove];
  return [...lists.map(changeLabel.list), ...(lists.some((l) => l.startsWith(tagList(''))) ? [changeLabel.tags] : [])];
}

function appliedLabels(
  event: PostEvent,
  before: StoredPost | undefined,
  after: StoredPost,
  lists: PostEffects['lists'],
): ChangeLabels {
  const id = after._id;
  if (event.subject === 'post.liked' || event.subject === 'post.unliked') return [changeLabel.post(id)];
  const moved = listLabels(lists);
  // A new post's author page shows it; an edit names the author only when it moved the post between lists.
  const author = !before ? after.authorUsername : moved.length ? before.authorUsername : undefined;
  return [changeLabel.post(id), changeLabel.postText(id), ...moved, ...(author ? [changeLabel.username(author)] : [])];
}

/**
 * After a redelivery the lists the post was in are unknown (the first delivery may have died
 * between its writes): the driver repairs them from the post as it is, and these are the labels
 * of everything the repair may have changed (a like changes no list: its own labels).
 */
export function redeliveredLabels(event: PostEvent, current: Pick<StoredPost, 'authorId' | 'authorUsername'> | null) {
  if (event.subject === 'post.liked' || event.subject === 'post.unliked') return [changeLabel.post(event.aggregateId)];
  const id = event.aggregateId;
  return [
    changeLabel.post(id),
    changeLabel.postText(id),
    changeLabel.list(allPosts),
    changeLabel.anyTagList,
    changeLabel.tags,
    ...(current ? [changeLabel.list(authorList(current.authorId)), changeLabel.username(current.authorUsername)] : []),
  ];
}
