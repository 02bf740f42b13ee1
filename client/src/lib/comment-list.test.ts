import { CommentRevs, shownComments } from './comment-list';
import type { CommentView } from './types';

const comment = (id: string, createdAt: string, changes: Partial<CommentView> = {}): CommentView => ({
  id,
  postId: 'p1',
  author: { id: 'u1', username: 'ann' },
  body: `text of ${id}`,
  status: 'approved',
  reason: '',
  createdAt,
  updatedAt: createdAt,
  ...changes,
});

describe('CommentRevs', () => {
  it('takes newer changes and ignores older ones (repeats from a resumed stream)', () => {
    const revs = new CommentRevs();
    expect(revs.accepts('c1', 0, 'comment')).toBe(true);
    expect(revs.accepts('c1', 2, 'comment')).toBe(true);
    expect(revs.accepts('c1', 1, 'comment')).toBe(false);
    expect(revs.accepts('c1', 1, 'removal')).toBe(false);
    expect(revs.accepts('c2', 1, 'removal')).toBe(true);
  });

  it("takes the same change as the author's own channel sends it, but not a removal of the same change", () => {
    const revs = new CommentRevs();
    revs.accepts('c1', 1, 'comment'); // approved, on the post's channel
    expect(revs.accepts('c1', 2, 'comment')).toBe(true); // edited: pending, on the author's channel
    expect(revs.accepts('c1', 2, 'comment')).toBe(true); // the same again (maybe with the reason)
    expect(revs.accepts('c1', 2, 'removal')).toBe(false); // the post's channel: no longer public
    expect(revs.accepts('c1', 3, 'removal')).toBe(true); // deleted later
  });

  it('lets a reader who never had the change take its removal', () => {
    const revs = new CommentRevs();
    revs.accepts('c1', 1, 'comment');
    expect(revs.accepts('c1', 2, 'removal')).toBe(true);
  });

  it('starts again after a re-read', () => {
    const revs = new CommentRevs();
    revs.accepts('c1', 5, 'comment');
    revs.clear();
    expect(revs.accepts('c1', 1, 'comment')).toBe(true);
  });
});

describe('shownComments', () => {
  const a = comment('a', '2030-01-01T10:00:00.000Z');
  const b = comment('b', '2030-01-01T11:00:00.000Z');

  it('lists the read model and this page’s writes it does not have yet, oldest first, none deleted here', () => {
    const mine = comment('c', '2030-01-01T12:00:00.000Z', { status: 'pending' });
    expect(shownComments([b, a], [mine], new Set()).map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(shownComments([b, a], [mine], new Set(['b'])).map((c) => c.id)).toEqual(['a', 'c']);
  });

  it('shows this page’s edit until the read model has it, then the read model’s copy', () => {
    const edit = { ...b, body: 'edited', status: 'pending' as const, updatedAt: '2030-01-01T11:30:00.000Z' };
    expect(shownComments([a, b], [edit], new Set())[1]).toBe(edit);
    const arrived = { ...edit, status: 'approved' as const };
    expect(shownComments([a, arrived], [edit], new Set())[1]).toBe(arrived);
  });
});
