import { applyInOrder, type DocChange, type EventData, type EventEnvelope } from '@postline/common';
import type { ReadModels, StoredPost } from '../../data-access/read-models';
import { ListCounts } from '../../data-access/list-counts';
import { changeLabel, type ChangeLabels } from '../../domain/change-labels';
import { excerptOf } from '../../domain/excerpt';
import { readingMinutesOf } from '../../domain/reading-time';
import { allPosts, authorList, listChange, listsOf, tagList } from '../../domain/post-lists';
import type { ReadModelHandlers } from './handlers';

type PostSubject = 'post.created' | 'post.updated' | 'post.liked' | 'post.unliked' | 'post.deleted';
type PostSnapshot = EventData<'post.created'>;

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

/** The change each post event makes to its post's document (shared by the live handlers and the batched replay). */
export function postChange(event: EventEnvelope<PostSubject>): DocChange<StoredPost> {
  switch (event.subject) {
    case 'post.created': {
      const data = event.data as PostSnapshot;
      return {
        create: (): StoredPost => ({
          _id: data.id,
          ...postContent(data),
          authorId: data.authorId,
          likeCount: 0,
          likers: [],
          approvedComments: {},
          commentCount: 0,
          createdAt: new Date(data.createdAt),
          version: 0,
          deleted: false,
        }),
      };
    }
    case 'post.updated':
      return { update: { $set: postContent(event.data as EventData<'post.updated'>) } };
    case 'post.liked': {
      const { userId, likeCount } = event.data as EventData<'post.liked'>;
      return { update: { $addToSet: { likers: userId }, $set: { likeCount } } };
    }
    case 'post.unliked': {
      const { userId, likeCount } = event.data as EventData<'post.unliked'>;
      return { update: { $pull: { likers: userId }, $set: { likeCount } } };
    }
    case 'post.deleted':
      return {
        update: {
          $set: {
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
          },
        },
      };
  }
}

/** The lists whose membership (and total) changes between two states of a post, as labels. */
export function listLabels(before: readonly string[], after: readonly string[]): ChangeLabels {
  const { add, remove } = listChange(before, after);
  const lists = [...add, ...remove];
  return [...lists.map(changeLabel.list), ...(lists.some((l) => l.startsWith(tagList(''))) ? [changeLabel.tags] : [])];
}

type ListState = Pick<StoredPost, 'deleted' | 'published' | 'authorId' | 'tags' | 'version' | 'authorUsername'>;
const listStateProjection = { deleted: 1, published: 1, authorId: 1, tags: 1, version: 1, authorUsername: 1 } as const;

/**
 * post.*: the posts view, and the list totals. Likes are changes of the post
 * (aggregate = the post, versions of the post) and carry the post's like count
 * after the change. post.deleted leaves a tombstone and removes the post's
 * comments; the lists, tag counts and author pages read only live posts.
 *
 * A post's list memberships follow its state: after an event applied here the
 * lists it left and joined are known exactly (its former state was read at the
 * previous version); after a redelivery they are not (the first delivery may
 * have died after its write), so the memberships are repaired from scratch.
 */
export function postHandlers({ posts, comments, listCounts }: ReadModels): Pick<ReadModelHandlers, PostSubject> {
  const lists = new ListCounts(listCounts);

  async function stateOf(id: string): Promise<ListState | null> {
    return posts.findOne({ _id: id }, { projection: listStateProjection });
  }

  /** Every list membership of the post made right from its current state; the lists it was in are unknown. */
  async function repairLists(id: string): Promise<ChangeLabels> {
    const [current, counted] = await Promise.all([stateOf(id), lists.listsContaining(id)]);
    const wanted = current ? listsOf(current) : [];
    await lists.apply([{ postId: id, ...listChange(counted, wanted) }]);
    return [
      changeLabel.post(id),
      changeLabel.postText(id),
      changeLabel.list(allPosts),
      changeLabel.anyTagList,
      changeLabel.tags,
      ...(current
        ? [changeLabel.list(authorList(current.authorId)), changeLabel.username(current.authorUsername)]
        : []),
    ];
  }

  /** Applies an event that may move the post between lists: from `before` (its state at the previous version) to `after`. */
  async function applyMoving(
    event: EventEnvelope<'post.updated'> | EventEnvelope<'post.deleted'>,
    after: (before: ListState) => ListState,
  ): Promise<ChangeLabels> {
    const id = event.aggregateId;
    const before = await stateOf(id);
    const outcome = await applyInOrder(posts, event, postChange(event));
    if (outcome === 'applied' && before?.version === event.version - 1) {
      const next = after(before);
      const [was, is] = [listsOf(before), listsOf(next)];
      await lists.apply([{ postId: id, ...listChange(was, is) }]);
      const moved = listLabels(was, is);
      return [
        changeLabel.post(id),
        changeLabel.postText(id),
        ...moved,
        ...(moved.length ? [changeLabel.username(before.authorUsername)] : []),
      ];
    }
    return repairLists(id);
  }

  return {
    'post.created': async (event) => {
      const { data } = event;
      const outcome = await applyInOrder(posts, event, postChange(event));
      if (outcome !== 'applied') return repairLists(data.id);
      const { published } = publicationOf(data);
      const joined = listsOf({ deleted: false, published, authorId: data.authorId, tags: data.tags });
      await lists.apply([{ postId: data.id, add: joined, remove: [] }]);
      return [
        changeLabel.post(data.id),
        changeLabel.postText(data.id),
        ...listLabels([], joined),
        changeLabel.username(data.authorUsername),
      ];
    },
    // An edit, a publication, an unpublication or a schedule: the lists follow tags and status.
    'post.updated': (event) =>
      applyMoving(event, (before) => ({
        ...before,
        tags: event.data.tags,
        published: publicationOf(event.data).published,
      })),
    'post.liked': async (event) => {
      await applyInOrder(posts, event, postChange(event));
      return [changeLabel.post(event.data.postId)];
    },
    'post.unliked': async (event) => {
      await applyInOrder(posts, event, postChange(event));
      return [changeLabel.post(event.data.postId)];
    },
    'post.deleted': async (event) => {
      const labels = await applyMoving(event, (before) => ({ ...before, deleted: true, tags: [] }));
      // Also on a redelivered duplicate: the process may have died between the
      // tombstone and this cascade, and removing comments twice is harmless.
      await comments.deleteMany({ postId: event.data.id });
      return labels;
    },
  };
}
