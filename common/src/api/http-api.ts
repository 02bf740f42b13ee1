/**
 * The JSON the HTTP API answers with: the contract between the services that
 * produce it and the Next.js client that reads it. Types only, so the client
 * imports it (`@postline/common/api`) without any server code.
 */
import type { CurrentUser, Role } from '../auth/user-token';
import type { ErrorEntry } from '../errors/http-errors';

export type { CurrentUser, Role, ErrorEntry };

export type CommentStatus = 'pending' | 'approved' | 'rejected';

// auth — /api/users

/** A public profile; `followedByMe`: whether the caller follows this user (as in query's ProfileView). */
export interface UserProfile {
  id: string;
  username: string;
  role: Role;
  bio: string;
  image: string;
  followerCount: number;
  followingCount: number;
  followedByMe: boolean;
  createdAt: string;
}

// posts — /api/posts

/** A post as its owner, the posts service, answers writes. */
export interface Post {
  id: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  authorId: string;
  authorUsername: string;
  likeCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** A draft is seen by its author only; `publishAt` is when a scheduled draft will be published. */
  status: PostStatus;
  publishedAt: string | null;
  publishAt: string | null;
}

export type PostStatus = 'draft' | 'published';

export interface LikeState {
  postId: string;
  liked: boolean;
  likeCount: number;
}

// comments — /api/comments

/** A comment as its owner, the comments service, answers writes. */
export interface Comment {
  id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  body: string;
  status: CommentStatus;
  reason: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

// moderation — /api/moderation

export interface QueueItem {
  commentId: string;
  postId: string;
  authorUsername: string;
  body: string;
  commentVersion: number;
  flags: string[];
  /** When this version of the comment entered the queue. */
  createdAt: string;
}

/** A decision that stands about a comment's current text (`GET /api/moderation/decisions`). */
export interface DecisionItem {
  commentId: string;
  postId: string;
  authorUsername: string;
  body: string;
  commentVersion: number;
  status: 'approved' | 'rejected';
  reason: string;
  decidedBy: 'rules' | 'moderator';
  decidedAt: string;
}

/** One page of the review queue or of the decisions. */
export interface ModerationPage<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** `POST /api/moderation/comments/:id/decision`: the decision taken; `overturned` when it replaced an earlier one. */
export interface ModeratorDecision {
  commentId: string;
  commentVersion: number;
  status: 'approved' | 'rejected';
  reason: string;
  overturned?: { status: 'approved' | 'rejected'; reason: string; decidedBy: 'rules' | 'moderator' };
}

// query — /api/query (read models, personalised when signed in)

export interface PostSummary {
  id: string;
  slug: string;
  title: string;
  excerpt: string;
  /** Whole minutes to read the body at 200 words a minute, at least 1. */
  readingMinutes: number;
  tags: string[];
  author: { id: string; username: string; image: string };
  likeCount: number;
  /** Approved comments only. */
  commentCount: number;
  likedByMe: boolean;
  followingAuthor: boolean;
  createdAt: string;
  updatedAt: string;
  /** When it was published (lists are newest published first); null only in an author's drafts. */
  publishedAt: string | null;
}

export interface CommentView {
  id: string;
  postId: string;
  author: { id: string; username: string };
  body: string;
  status: CommentStatus;
  /** The moderation reason, for the comment's author and moderators; empty for everyone else. */
  reason: string;
  createdAt: string;
  updatedAt: string;
}

export type PostDetail = PostSummary & { body: string; comments: CommentView[] };

/** What only a post's author is shown (GET /api/query/drafts…): whether it is a draft, and when it is scheduled. */
export type DraftSummary = PostSummary & { status: PostStatus; publishAt: string | null };
export type DraftDetail = DraftSummary & { body: string; comments: CommentView[] };
export type DraftPage = Omit<PostPage, 'posts'> & { posts: DraftSummary[] };

export interface PostPage {
  posts: PostSummary[];
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

export interface TagCount {
  tag: string;
  count: number;
}

export interface ProfileView {
  id: string;
  username: string;
  bio: string;
  image: string;
  followerCount: number;
  followingCount: number;
  followedByMe: boolean;
}

export type UserPostsPage = PostPage & { user: ProfileView };

/** A piece of a highlighted text (GET /api/query/search): `mark` on the words the search matched. Text, never HTML. */
export interface TextPart {
  text: string;
  mark?: true;
}

export interface SearchResult {
  id: string;
  slug: string;
  title: string;
  /** The title in parts, the matched words marked. */
  titleParts: TextPart[];
  /** A plain-text window of the body around its first matched word, in parts. */
  snippetParts: TextPart[];
  tags: string[];
  authorUsername: string;
  publishedAt: string;
  score: number;
  /** The words of the post that matched, lower case. */
  terms: string[];
}

export interface SearchPage {
  q: string;
  results: SearchResult[];
  page: number;
  limit: number;
  /** Matches ranked (at most 1000). */
  total: number;
}

/** A post's counts as a live stream sends them. */
export interface LivePostCounts {
  id: string;
  likeCount: number;
  commentCount: number;
}

/**
 * `GET /api/query/live?post=<id>` (text/event-stream): the data of each event, by event name.
 * A post's channel carries what every reader of its page sees; a signed-in reader's own channel,
 * their comments in every status with the reason. `rev` grows with every change of a comment:
 * keep the newest.
 */
export interface LiveEvents {
  comment: { comment: CommentView; rev: number; post?: LivePostCounts };
  'comment-removed': { id: string; postId: string; rev: number; post?: LivePostCounts };
  post: { post: LivePostCounts & { updatedAt: string; version: number }; contentChanged: boolean };
  /** Deleted, or unpublished (a draft again): the page is gone for its readers. */
  'post-deleted': { id: string };
  /** A new stream: re-read the page once (what changed before the stream began is not sent), then follow. */
  ready: Record<string, never>;
  /** The stream could not resume where it left off: re-read the page, then follow. */
  reload: Record<string, never>;
}
