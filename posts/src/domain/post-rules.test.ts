import {
  baseSlugFor,
  bodyProblem,
  canSeePost,
  initialPublication,
  isDue,
  publish,
  publishAtProblem,
  schedule,
  unpublish,
  isPostId,
  suffixedSlug,
  titleProblem,
} from './post-rules';

describe('post rules', () => {
  it('counts a title in UTF-16 units and a body in UTF-8 bytes', () => {
    expect(titleProblem('😀'.repeat(100))).toBeUndefined();
    expect(titleProblem('😀'.repeat(100) + 'x')).toBeDefined();
    expect(bodyProblem('€'.repeat(17_066))).toBeUndefined(); // 51,198 bytes
    expect(bodyProblem('€'.repeat(17_067))).toBeDefined(); // 51,201 bytes
  });

  it.each([
    ['Hello, World!', 'hello-world'],
    ['  Ünïcödé & Friends  ', 'unicode-and-friends'],
    ['???', 'post'],
    ['DEADBEEFDEADBEEFDEADBEEF', 'post-deadbeefdeadbeefdeadbeef'],
  ])('derives the slug of %j: %s', (title, slug) => {
    expect(baseSlugFor(title)).toBe(slug);
  });

  it('suffixes a taken slug with six random hex digits', () => {
    expect(suffixedSlug('hello')).toMatch(/^hello-[0-9a-f]{6}$/);
    expect(suffixedSlug('hello')).not.toBe(suffixedSlug('hello'));
  });

  it('recognises post ids', () => {
    expect(isPostId('0123456789abcdef01234567')).toBe(true);
    expect(isPostId('0123456789abcdef0123456')).toBe(false);
    expect(isPostId('0123456789ABCDEF01234567')).toBe(false);
  });
});

describe('publication rules', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const later = new Date('2030-01-02T09:00:00Z');
  const draft = { status: 'draft' as const, publishedAt: null, publishAt: null };
  const scheduled = { ...draft, publishAt: later };
  const published = { status: 'published' as const, publishedAt: now, publishAt: null };

  it('a new post is published at once unless it is a draft or scheduled', () => {
    expect(initialPublication({}, now)).toEqual(published);
    expect(initialPublication({ status: 'published' }, now)).toEqual(published);
    expect(initialPublication({ status: 'draft' }, now)).toEqual(draft);
    expect(initialPublication({ publishAt: later.toISOString() }, now)).toEqual(scheduled);
  });

  it('publish, unpublish and schedule say when there is nothing to do', () => {
    expect(publish(draft, now)).toEqual(published);
    expect(publish(scheduled, now)).toEqual(published);
    expect(publish(published, later)).toBeUndefined();
    expect(unpublish(published)).toEqual(draft);
    expect(unpublish(scheduled)).toEqual(draft);
    expect(unpublish(draft)).toBeUndefined();
    expect(schedule(draft, later)).toEqual(scheduled);
    expect(schedule(scheduled, new Date(later))).toBeUndefined();
    expect(schedule(published, later)).toBe('published');
  });

  it('a draft is due once its time has come, and only then', () => {
    expect(isDue(scheduled, now)).toBe(false);
    expect(isDue(scheduled, later)).toBe(true);
    expect(isDue(draft, later)).toBe(false);
    expect(isDue({ ...published, publishAt: later }, later)).toBe(false);
  });

  it('publishAt: a future time with a zone, at most a year ahead', () => {
    expect(publishAtProblem('2030-01-01T13:00:00Z', now)).toBeUndefined();
    expect(publishAtProblem('2030-01-01T13:00:00.000+02:00', now)).toBe('publishAt must be in the future');
    expect(publishAtProblem('2030-01-01T11:59:59Z', now)).toBe('publishAt must be in the future');
    expect(publishAtProblem('2031-06-01T00:00:00Z', now)).toBe('publishAt must be at most a year ahead');
    expect(publishAtProblem('2030-01-01T13:00:00', now)).toMatch(/time zone/);
    expect(publishAtProblem(42, now)).toMatch(/time zone/);
  });

  it('a draft is seen by its author only', () => {
    const post = { status: 'draft' as const, authorId: 'a' };
    expect(canSeePost({ id: 'a' }, post)).toBe(true);
    expect(canSeePost({ id: 'b' }, post)).toBe(false);
    expect(canSeePost(undefined, post)).toBe(false);
    expect(canSeePost(undefined, { ...post, status: 'published' })).toBe(true);
  });
});
