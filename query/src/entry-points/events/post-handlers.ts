import type { EventData } from '@postline/common';
import type { PostView, ReadModels } from '../../data-access/read-models';
import { applyInOrder } from '../../data-access/apply-in-order';
import { excerptOf } from '../../domain/excerpt';
import type { ReadModelHandlers } from './handlers';

type PostSnapshot = EventData<'post.created'>;

function postContent(data: PostSnapshot) {
  return {
    slug: data.slug,
    title: data.title,
    body: data.body,
    excerpt: excerptOf(data.body),
    tags: data.tags,
    authorUsername: data.authorUsername,
    updatedAt: new Date(data.updatedAt),
  };
}

/**
 * post.*: the posts view. Likes are changes of the post (aggregate = the post,
 * versions of the post) and carry the post's like count after the change.
 * post.deleted leaves a tombstone and removes the post's comments; the lists,
 * tag counts and author pages read only live posts, so it disappears from all.
 */
export function postHandlers({
  posts,
  comments,
}: ReadModels): Pick<ReadModelHandlers, `post.${string}` & keyof ReadModelHandlers> {
  return {
    'post.created': async (event) => {
      const { data } = event;
      await applyInOrder(posts, event, {
        create: (): PostView => ({
          _id: data.id,
          ...postContent(data),
          authorId: data.authorId,
          likeCount: 0,
          likers: [],
          createdAt: new Date(data.createdAt),
          version: 0,
          deleted: false,
        }),
      });
    },
    'post.updated': async (event) => {
      await applyInOrder(posts, event, { update: { $set: postContent(event.data) } });
    },
    'post.liked': async (event) => {
      const { userId, likeCount } = event.data;
      await applyInOrder(posts, event, { update: { $addToSet: { likers: userId }, $set: { likeCount } } });
    },
    'post.unliked': async (event) => {
      const { userId, likeCount } = event.data;
      await applyInOrder(posts, event, { update: { $pull: { likers: userId }, $set: { likeCount } } });
    },
    'post.deleted': async (event) => {
      await applyInOrder(posts, event, {
        update: { $set: { deleted: true, body: '', excerpt: '', title: '', tags: [], likers: [], likeCount: 0 } },
      });
      // Also on a redelivered duplicate: the process may have died between the
      // tombstone and this cascade, and removing comments twice is harmless.
      await comments.deleteMany({ postId: event.data.id });
    },
  };
}
