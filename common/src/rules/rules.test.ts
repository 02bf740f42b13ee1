import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canChangePost,
  canDeleteComment,
  canEditComment,
  canPublishPost,
  isTag,
  isUsername,
  normaliseTags,
  normaliseUsername,
  parseTagList,
  tagsProblem,
} from './index';

const author = { id: 'a1', role: 'user' } as const;
const postAuthor = { id: 'p1', role: 'user' } as const;
const moderator = { id: 'm1', role: 'moderator' } as const;
const stranger = { id: 'x1', role: 'user' } as const;

describe('who may change what', () => {
  const post = { authorId: 'a1' };
  const comment = { authorId: 'a1' };

  it('lets the author and moderators change a post; only the author publish it', () => {
    expect([author, moderator, stranger].map((actor) => canChangePost(actor, post))).toEqual([true, true, false]);
    expect([author, moderator, stranger].map((actor) => canPublishPost(actor, post))).toEqual([true, false, false]);
  });

  it("lets only a comment's author edit it", () => {
    expect([author, postAuthor, moderator, stranger].map((a) => canEditComment(a, comment))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it("lets the comment's author, the post's author and moderators delete a comment", () => {
    expect([author, postAuthor, moderator, stranger].map((a) => canDeleteComment(a, comment, 'p1'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    // The post unknown (deleted from the replica): its author cannot be told apart from a stranger.
    expect(canDeleteComment(postAuthor, comment, undefined)).toBe(false);
  });
});

describe('usernames', () => {
  it.each([
    ['alice_1', true],
    ['abc', true],
    ['a'.repeat(30), true],
    ['ab', false],
    ['a'.repeat(31), false],
    ['Alice', false],
    ['al ice', false],
    ['élise', false],
    ['me/you', false],
  ])('%j is a username: %s', (value, expected) => {
    expect(isUsername(value)).toBe(expected);
  });

  it('compares trimmed and lower-case', () => {
    expect(normaliseUsername('  Alice_1 ')).toBe('alice_1');
    expect(isUsername(normaliseUsername(' ALICE '))).toBe(true);
  });
});

describe('tags', () => {
  it('normalises: NFKC, trimmed, lower-case, inner spaces as one dash, first-seen order, no duplicates', () => {
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
    [['x'.repeat(41)], 'Each tag must be 1 to 40 characters'],
    [['a/b'], 'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit'],
    [['.hidden'], 'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit'],
    [Array.from({ length: 11 }, (_, i) => `t${i}`), 'At most 10 different tags'],
    [[null], 'Tags must be a list of strings'],
    [{ 0: 'x' }, 'Tags must be a list of strings'],
  ])('judges tags %j: %s', (tags, problem) => {
    expect(tagsProblem(tags)).toBe(problem);
  });

  it('tells whether a normalised value can be a tag, as the list rule does', () => {
    for (const tag of ['c#', 'node.js', 'web-dev', 'café', '日本語', 'x'.repeat(40)])
      expect([tag, isTag(tag)]).toEqual([tag, true]);
    for (const tag of ['', 'a b', '.x', 'a/b', 'x'.repeat(41), '<b>']) expect([tag, isTag(tag)]).toEqual([tag, false]);
  });

  it('splits what a writer types at commas and whitespace', () => {
    expect(parseTagList('react, Next.js  css,,React ')).toEqual(['react', 'next.js', 'css']);
    expect(parseTagList('  ')).toEqual([]);
  });
});

describe('the rules module', () => {
  it('imports nothing but its own files and types, so a browser bundle stays free of the server runtime', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toEqual(expect.arrayContaining(['index.ts', 'permissions.ts', 'tags.ts', 'usernames.ts']));
    const runtimeImports = sources.flatMap((file) =>
      [
        ...readFileSync(join(__dirname, file), 'utf8').matchAll(
          /^\s*(import|export)\s+(?!type\b)(?:[^'"]*from\s+)?'([^']+)'/gm,
        ),
      ]
        .map((match) => match[2]!)
        .filter((specifier) => !/^\.\/[\w-]+$/.test(specifier))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(runtimeImports).toEqual([]);
  });

  it('is its own entry point of the package', () => {
    const { exports } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
    };
    expect(exports['./rules']?.default).toBe('./dist/rules/index.js');
  });
});
