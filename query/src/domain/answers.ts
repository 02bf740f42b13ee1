import type { ListItem } from '../data-access/read-model-queries';
import type { StoredComment, StoredPost, StoredUser } from '../data-access/read-models';
import { answerOf, type Answer, type CommentPart, type Part } from './answer-template';
import { changeLabel } from './change-labels';

/**
 * The answers of the query routes, built from read-model documents as
 * templates (see answer-template.ts), with the labels of what each was built
 * from. The JSON is exactly what the routes always answered (the types in
 * @postline/common/api): the same fields in the same order.
 */
export type Author = Pick<StoredUser, '_id' | 'username' | 'image'>;

export interface Paging {
  page: number;
  limit: number;
}

const json = JSON.stringify;

/** A PostSummary, its closing brace left to the caller so a post page can go on with body and comments. */
function summaryParts(post: ListItem, author: Author | undefined, more: Record<string, unknown> = {}): Part[] {
  const head = json({
    id: post._id,
    slug: post.slug,
    title: post.title,
    excerpt: post.excerpt,
    readingMinutes: post.readingMinutes,
    tags: post.tags,
    author: { id: post.authorId, username: author?.username ?? post.authorUsername, image: author?.image ?? '' },
    likeCount: post.likeCount,
    commentCount: post.commentCount,
  });
  const tail = json({
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    publishedAt: post.publishedAt?.toISOString() ?? null,
    ...more,
  });
  return [
    `${head.slice(0, -1)},"likedByMe":`,
    { likers: new Set(post.likers ?? []) },
    ',"followingAuthor":',
    { follows: post.authorId },
    `,${tail.slice(1, -1)}`,
  ];
}

function summaryLabels(posts: readonly ListItem[]): string[] {
  return posts.flatMap((p) => [changeLabel.post(p._id), changeLabel.user(p.authorId)]);
}

/** What only a post's author is shown of it: whether it is a draft, and when it is scheduled. */
const authorsView = (post: ListItem) => ({
  status: post.published ? 'published' : 'draft',
  publishAt: post.publishAt?.toISOString() ?? null,
});

/** `posts, page, limit, total, totalPages` (without the braces). */
/** One page of a list of posts, with their authors as they are now and the list's total. */
export interface ListPage {
  posts: readonly ListItem[];
  authors: ReadonlyMap<string, Author>;
  paging: Paging;
  total: number;
}

function pageParts({ posts, authors, paging, total }: ListPage, moreOf?: (post: ListItem) => Record<string, unknown>) {
  const parts: Part[] = ['"posts":['];
  posts.forEach((post, i) => {
    if (i > 0) parts.push(',');
    parts.push(...summaryParts(post, authors.get(post.authorId), moreOf?.(post)), '}');
  });
  const { page, limit } = paging;
  parts.push(`],${json({ page, limit, total, totalPages: Math.ceil(total / limit) }).slice(1, -1)}`);
  return parts;
}

/** `{posts, page, limit, total, totalPages}`: a list page, the feed. */
export function postListAnswer(page: ListPage, labels: readonly string[]): Answer {
  return answerOf(['{', ...pageParts(page), '}'], [...labels, ...summaryLabels(page.posts)]);
}

/** `{posts: DraftSummary[], page, limit, total, totalPages}`: an author's drafts (personal: never cached). */
export function draftListAnswer(page: ListPage): Answer {
  return answerOf(['{', ...pageParts(page, authorsView), '}'], summaryLabels(page.posts));
}

/** `{post: DraftDetail}`: the author's preview of their post, as its page will show it, with its status. */
export function ownPostAnswer(
  post: StoredPost,
  author: Author | undefined,
  comments: readonly StoredComment[],
): Answer {
  const parts: Part[] = [
    '{"post":',
    ...summaryParts(post, author, { ...authorsView(post), body: post.body }),
    ',"comments":[',
    { comments: comments.map(commentPart) },
    ']}}',
  ];
  return answerOf(parts, [changeLabel.post(post._id), changeLabel.postPage(post._id), changeLabel.user(post.authorId)]);
}

/** `{post: PostDetail}`: the summary, the body, and every comment the reader may see, oldest first. */
export function postAnswer(post: StoredPost, author: Author | undefined, comments: readonly StoredComment[]): Answer {
  const parts: Part[] = [
    '{"post":',
    ...summaryParts(post, author, { body: post.body }),
    ',"comments":[',
    { comments: comments.map(commentPart) },
    ']}}',
  ];
  return answerOf(parts, [changeLabel.post(post._id), changeLabel.postPage(post._id), changeLabel.user(post.authorId)]);
}

/** A stored comment as the routes answer it (`reason`: the comment's for its author and moderators, else ""). */
export function commentJsonOf(comment: StoredComment, reason: string) {
  return {
    id: comment._id,
    postId: comment.postId,
    author: { id: comment.authorId, username: comment.authorUsername },
    body: comment.body,
    status: comment.status,
    reason,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}

function commentPart(comment: StoredComment): CommentPart {
  const view = (reason: string) => json(commentJsonOf(comment, reason));
  return {
    authorId: comment.authorId,
    approved: comment.status === 'approved',
    reason: comment.reason,
    json: view(''),
    ownJson: view(comment.reason),
  };
}

/** `{tags: [{tag, count}]}`. */
export function tagsAnswer(tags: readonly { tag: string; count: number }[]): Answer {
  return answerOf([json({ tags })], [changeLabel.tags]);
}

/** `{user: ProfileView, posts, page, limit, total, totalPages}`: a user's page. */
export function userPageAnswer(user: StoredUser, page: ListPage, labels: readonly string[]): Answer {
  const profile = json({
    id: user._id,
    username: user.username,
    bio: user.bio,
    image: user.image,
    followerCount: user.followerCount ?? 0,
    followingCount: user.following.length,
  });
  const parts: Part[] = [
    `{"user":${profile.slice(0, -1)},"followedByMe":`,
    { follows: user._id },
    '},',
    ...pageParts(page),
    '}',
  ];
  return answerOf(parts, [
    ...labels,
    changeLabel.user(user._id),
    changeLabel.profile(user._id),
    changeLabel.username(user.username),
    ...summaryLabels(page.posts),
  ]);
}
