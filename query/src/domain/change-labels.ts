/**
 * Labels name what a cached answer was built from; a change names what it
 * touched. A change notice drops every cached answer that carries one of its
 * labels (on every replica), so the labels below are the whole contract
 * between the projections and the answer cache.
 */
export const changeLabel = {
  /** Everything showing the post: its page and the list pages it is on (title, counts, likes…). */
  post: (postId: string) => `post:${postId}`,
  /** The post's page only (its comments). */
  postPage: (postId: string) => `post-page:${postId}`,
  /**
   * What search indexes of the post: its text, tags and publication. No answer carries it; the
   * search index reads the post back on it (and not on likes or comment counts, which it ignores).
   */
  postText: (postId: string) => `post-text:${postId}`,
  /** Everything showing the user's name or image (their posts' summaries, their page). */
  user: (userId: string) => `user:${userId}`,
  /** The user's page header: follower and following counts. */
  profile: (userId: string) => `profile:${userId}`,
  /** What the user, signed in, sees as theirs: whom they follow. */
  viewer: (userId: string) => `viewer:${userId}`,
  /** Answers looked up by a username (author filters, user pages), found or not. */
  username: (username: string) => `username:${username}`,
  /** List pages whose membership or total changes (see post-lists.ts for the list names). */
  list: (list: string) => `list:${list}`,
  /** Every list page filtered by a tag: for a change whose former tags are unknown. */
  anyTagList: 'list:tag',
  /** The tag cloud. */
  tags: 'tags',
} as const;

/** What applying one event changed: the labels of every answer it may have made stale. */
export type ChangeLabels = string[];
