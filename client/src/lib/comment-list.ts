import type { CommentView } from './types';

/**
 * The newest change applied to each comment of a live page, by `rev` (it grows with every change of
 * a comment). An older change is a repeat from a resumed stream: ignored. An equal one is the same
 * change again, maybe from the other channel: a comment as its author's own channel sends it (with
 * the reason) is taken, but a removal is not, because the post's channel removes a comment that
 * stopped being public (edited, so pending again; rejected) in the same change that its author is
 * sent as it now is.
 */
export class CommentRevs {
  private readonly revs = new Map<string, number>();

  accepts(id: string, rev: number, change: 'comment' | 'removal'): boolean {
    const known = this.revs.get(id) ?? -1;
    if (rev < known || (change === 'removal' && rev === known)) return false;
    this.revs.set(id, rev);
    return true;
  }

  /** After a re-read of the post: what it lists is the new starting point. */
  clear(): void {
    this.revs.clear();
  }
}

/**
 * What the list shows, oldest first: the read model's comments, each replaced by this page's own
 * write of it when that is newer (an edit the events have not brought yet), then this page's writes
 * the read model does not have yet; none deleted here.
 */
export function shownComments(server: CommentView[], own: CommentView[], deleted: ReadonlySet<string>): CommentView[] {
  const ownById = new Map(own.map((c) => [c.id, c]));
  const serverIds = new Set(server.map((c) => c.id));
  return [...server.map((c) => newerOf(c, ownById.get(c.id))), ...own.filter((c) => !serverIds.has(c.id))]
    .filter((c) => !deleted.has(c.id))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function newerOf(server: CommentView, own: CommentView | undefined): CommentView {
  return own && Date.parse(own.updatedAt) > Date.parse(server.updatedAt) ? own : server;
}
