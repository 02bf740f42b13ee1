import { testUser } from '@postline/common/testing';
import {
  baseSlugFor,
  bodyProblem,
  canChangePost,
  isPostId,
  normaliseTags,
  suffixedSlug,
  tagsProblem,
  titleProblem,
} from './post-rules';

describe('post rules', () => {
  it('normalises tags: trimmed, lower-case, inner spaces as one dash, first-seen order, no duplicates', () => {
    expect(normaliseTags(['  Web  Dev ', 'TypeScript', 'typescript', 'C#', 'node.js'])).toEqual([
      'web-dev',
      'typescript',
      'c#',
      'node.js',
    ]);
    expect(normaliseTags(['cafe\u0301', 'caf\u00e9'])).toEqual(['caf\u00e9']);
  });

  it.each([
    [['ok', 'Ünïcödé', '日本語', 'snake_case'], undefined],
    [[], undefined],
    [['a b c'], undefined],
    [[''], 'Each tag must be 1 to 40 characters'],
    [['a/b'], 'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit'],
    [['.hidden'], 'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit'],
    [[null], 'Tags must be a list of strings'],
    [{ 0: 'x' }, 'Tags must be a list of strings'],
  ])('judges tags %j: %s', (tags, problem) => {
    expect(tagsProblem(tags)).toBe(problem);
  });

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

  it('lets the author and moderators change a post, nobody else', () => {
    const post = { authorId: 'a1' };
    expect(canChangePost(testUser({ id: 'a1' }), post)).toBe(true);
    expect(canChangePost(testUser({ id: 'm1', role: 'moderator' }), post)).toBe(true);
    expect(canChangePost(testUser({ id: 'x1' }), post)).toBe(false);
  });
});
