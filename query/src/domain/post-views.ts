import type { CurrentUser } from '@postline/common';
import type { PostListItem, ReadModelQueries } from '../data-access/read-model-queries';
import type { CommentView as StoredComment, PostView } from '../data-access/read-models';
import { mayReadReason, visibleCommentsFilter } from './comment-visibility';
import type { CommentView, PostDetail, PostPage, PostSummary } from '@postline/common';

export type { CommentView, PostDetail, PostPage, PostSummary };

export type Viewer = CurrentUser | undefined;

/**
 * Turns read-model documents into what the client shows: the author's current
 * name and image, counts, and the viewer's own flags. A page of posts costs a
 * fixed handful of queries (authors, comment counts, my likes, my follows),
 * whatever its length.
 */
export class PostViews {
  constructor(private readonly queries: ReadModelQueries) {}

  async summaries(posts: PostListItem[], viewer: Viewer): Promise<PostSummary[]> {
    const ids = posts.map((p) => p._id);
    const [authors, commentCounts, liked, following] = await Promise.all([
      this.queries.usersByIds([...new Set(posts.map((p) => p.authorId))]),
      this.queries.approvedCommentCounts(ids),
      viewer ? this.queries.likedAmong(ids, viewer.id) : Promise.resolve(new Set<string>()),
      this.followingOf(viewer),
    ]);
    const authorsById = new Map(authors.map((a) => [a._id, a]));
    return posts.map((post) => {
      const author = authorsById.get(post.authorId);
      return {
        id: post._id,
        slug: post.slug,
        title: post.title,
        excerpt: post.excerpt,
        tags: post.tags,
        author: { id: post.authorId, username: author?.username ?? post.authorUsername, image: author?.image ?? '' },
        likeCount: post.likeCount,
        commentCount: commentCounts.get(post._id) ?? 0,
        likedByMe: liked.has(post._id),
        followingAuthor: following.has(post.authorId),
        createdAt: post.createdAt.toISOString(),
        updatedAt: post.updatedAt.toISOString(),
      };
    });
  }

  async page(
    result: { posts: PostListItem[]; total: number },
    page: number,
    limit: number,
    viewer: Viewer,
  ): Promise<PostPage> {
    return {
      posts: await this.summaries(result.posts, viewer),
      page,
      limit,
      total: result.total,
      totalPages: Math.ceil(result.total / limit),
    };
  }

  async detail(post: PostView, viewer: Viewer): Promise<PostDetail> {
    const [summary] = await this.summaries([post], viewer);
    const comments = await this.queries.comments(post._id, visibleCommentsFilter(viewer));
    return { ...summary!, body: post.body, comments: comments.map((c) => commentView(c, viewer)) };
  }

  /** Ids of the users the viewer follows (empty when signed out or not known yet). */
  async followingOf(viewer: Viewer): Promise<Set<string>> {
    if (!viewer) return new Set();
    return new Set((await this.queries.userById(viewer.id))?.following ?? []);
  }
}

function commentView(comment: StoredComment, viewer: Viewer): CommentView {
  return {
    id: comment._id,
    postId: comment.postId,
    author: { id: comment.authorId, username: comment.authorUsername },
    body: comment.body,
    status: comment.status,
    reason: mayReadReason(viewer, comment.authorId) ? comment.reason : '',
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}
