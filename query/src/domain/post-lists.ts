import { isPublic } from './visibility';

/**
 * The lists a post appears in, each with a maintained total (list_counts):
 * every live published post is in `all`, in its author's list and in one list
 * per tag; a deleted post or a draft is in none.
 */
export const allPosts = 'all';
export const tagList = (tag: string): string => `tag:${tag}`;
export const authorList = (authorId: string): string => `author:${authorId}`;

export function listsOf(post: {
  deleted: boolean;
  published: boolean;
  authorId: string;
  tags: readonly string[];
}): string[] {
  if (!isPublic(post)) return [];
  return [allPosts, authorList(post.authorId), ...new Set(post.tags.map(tagList))];
}

/** What to add the post to and remove it from, to go from being in `before` to being in `after`. */
export function listChange(before: readonly string[], after: readonly string[]): { add: string[]; remove: string[] } {
  return { add: after.filter((l) => !before.includes(l)), remove: before.filter((l) => !after.includes(l)) };
}
