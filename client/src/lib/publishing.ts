import { api, waitFor, type ApiResult } from './browser-api';
import type { DraftDetail, Post, PostDetail } from './types';

/**
 * Publishing from the browser: the posts service decides, the query service
 * shows it a moment later (events), so each step waits briefly for the page
 * it leads to. A post is `draft` or `published` (posts/README.md).
 */

/** `publishAt` from an `<input type="datetime-local">` (the reader's local time) as an ISO time with a zone. */
export function publishAtFromLocal(value: string): string | undefined {
  const at = new Date(value);
  return value && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

/** A value for `<input type="datetime-local">` from an ISO time, in the reader's local time. */
export function localInputValue(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

export const publish = (id: string) => api<Post>('POST', `/api/posts/${id}/publish`);
export const unpublish = (id: string) => api<Post>('POST', `/api/posts/${id}/unpublish`);
export const schedule = (id: string, publishAt: string) =>
  api<Post>('POST', `/api/posts/${id}/schedule`, { publishAt });

/**
 * Waits until the query service shows the post as saved (its content at
 * least as new, its status the same), then says where to go: a published
 * post's page, or the author's preview of a draft.
 */
export async function pathAfterSaving(saved: Post): Promise<string> {
  const newEnough = (view: { updatedAt: string }) => Date.parse(view.updatedAt) >= Date.parse(saved.updatedAt);
  if (saved.status === 'published') {
    await waitFor(async () => {
      const view = await api<{ post: PostDetail }>('GET', `/api/query/posts/${saved.id}`);
      return view.ok && newEnough(view.data.post) ? true : undefined;
    });
    return `/posts/${saved.slug}`;
  }
  await waitFor(async () => {
    const view = await api<{ post: DraftDetail }>('GET', `/api/query/drafts/${saved.id}`);
    const post = view.ok ? view.data.post : undefined;
    return post && post.status === 'draft' && post.publishAt === saved.publishAt && newEnough(post) ? true : undefined;
  });
  return `/drafts/${saved.id}`;
}

export type SaveResult = ApiResult<Post>;
