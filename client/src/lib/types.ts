/** The shapes of the HTTP API (see ARCHITECTURE.md and the service briefs), as the client reads them. */

export type Role = 'user' | 'moderator';

export interface CurrentUser {
  id: string;
  email: string;
  username: string;
  role: Role;
}

export interface ApiError {
  message: string;
  field?: string;
}

export interface AuthorRef {
  id: string;
  username: string;
  image?: string;
}

export interface PostSummary {
  id: string;
  slug: string;
  title: string;
  excerpt: string;
  tags: string[];
  author: AuthorRef;
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  followingAuthor: boolean;
  createdAt: string;
  updatedAt: string;
}

export type CommentStatus = 'pending' | 'approved' | 'rejected';

export interface CommentView {
  id: string;
  postId: string;
  author: { id: string; username: string };
  body: string;
  status: CommentStatus;
  reason?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PostDetail extends PostSummary {
  body: string;
  comments: CommentView[];
}

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

export interface ProfileSummary {
  id: string;
  username: string;
  bio: string;
  image: string;
  followerCount: number;
  followingCount: number;
  followedByMe: boolean;
}

export interface UserPostsPage extends PostPage {
  user: ProfileSummary;
}

/** A post as the posts service answers writes (the source of truth). */
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
}

/** A comment as the comments service answers writes. */
export interface Comment {
  id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  body: string;
  status: CommentStatus;
  reason?: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface LikeState {
  postId: string;
  liked: boolean;
  likeCount: number;
}

/** The auth service's profile (answered by follow/unfollow and PATCH /me). */
export interface AuthProfile {
  id: string;
  username: string;
  bio: string;
  image: string;
  followerCount: number;
  followingCount: number;
  following: boolean;
}

export interface QueueItem {
  commentId: string;
  postId: string;
  authorUsername: string;
  body: string;
  commentVersion: number;
  flags: string[];
  createdAt: string;
}
