import type { ModerationRules } from '../rules/moderation-rules';
import { judge } from './judge';

const rules: ModerationRules = {
  blockedWords: ['orange', 'bad phrase'],
  maxLinks: 3,
  review: { words: ['scam', 'c++'], minLinks: 2 },
};

describe('judge', () => {
  it.each(['I like orange', 'ORANGE!', 'Orange.', '(orange)', 'an "oRaNgE" one', 'a bad   phrase here'])(
    'rejects %j, naming the blocked word',
    (text) => {
      const verdict = judge(text, rules);
      expect(verdict.outcome).toBe('rejected');
      expect(verdict).toMatchObject({ reason: expect.stringMatching(/^blocked word: (orange|bad phrase)$/) });
    },
  );

  it.each(['oranges are fruit', 'orangeade', 'blood_orange', 'orange2', 'nothing to see'])(
    'does not block %j: whole words only',
    (text) => {
      expect(judge(text, rules)).toEqual({ outcome: 'approved', reason: '' });
    },
  );

  it('names every blocked word found', () => {
    expect(judge('orange and a bad phrase', rules)).toEqual({
      outcome: 'rejected',
      reason: 'blocked words: orange, bad phrase',
    });
  });

  it('rejects more links than allowed, and sends several links to review', () => {
    const links = (n: number) => Array.from({ length: n }, (_, i) => `see https://example.com/${i}`).join(' ');
    expect(judge(links(4), rules)).toEqual({ outcome: 'rejected', reason: 'too many links: 4 (at most 3)' });
    expect(judge(links(2), rules)).toEqual({ outcome: 'review', flags: ['links: 2'] });
    expect(judge(links(1), rules)).toEqual({ outcome: 'approved', reason: '' });
  });

  it('sends review words to a moderator, with flags saying why', () => {
    expect(judge('This is a SCAM, also c++ and www.a.example www.b.example', rules)).toEqual({
      outcome: 'review',
      flags: ['review word: scam', 'review word: c++', 'links: 2'],
    });
    expect(judge('scammer', rules).outcome).toBe('approved');
  });

  it('counts http, https and www links, Markdown ones once', () => {
    expect(judge('[a](https://x.example/a) http://y.example www.z.example no.link', rules)).toEqual({
      outcome: 'review',
      flags: ['links: 3'],
    });
  });

  // What a reviewer slipped past the rules when they read the raw Markdown (issue 22).
  it.each([
    ['an entity', 'or&#97;nge'],
    ['a named entity', 'or&amp;#97;nge is not it, but &#x6F;range is'],
    ['Markdown emphasis', '**or**ange'],
    ['emphasis inside the word', 'o*r*ange'],
    ['a zero-width space', 'or\u200Bange'],
    ['a soft hyphen', 'or\u00ADange'],
    ['fullwidth letters', '\uFF4F\uFF52\uFF41\uFF4E\uFF47\uFF45'],
    ['a link text', '[orange](https://x.example)'],
    ['a heading', '# orange'],
    ['an image alt text', '![orange](https://x.example/i.png)'],
  ])('rejects a blocked word hidden by %s', (_how, body) => {
    expect(judge(body, rules)).toMatchObject({ outcome: 'rejected', reason: 'blocked word: orange' });
  });

  it('counts the links a reader can follow, however the Markdown spells them', () => {
    const entityLinks = Array.from({ length: 5 }, (_, i) => `[x](&#104;ttps://e.example/${i})`).join(' ');
    expect(judge(entityLinks, rules)).toEqual({ outcome: 'rejected', reason: 'too many links: 5 (at most 3)' });
    const referenceLinks = '[a][1] [b][2] [c][1] [d][2]\n\n[1]: https://e.example/1\n[2]: https://e.example/2';
    expect(judge(referenceLinks, rules)).toEqual({ outcome: 'rejected', reason: 'too many links: 4 (at most 3)' });
  });

  it('does not count what no reader sees as a link, nor join words across blocks', () => {
    // Raw HTML is not rendered (the client skips it), code is text, a javascript: link is stripped.
    expect(judge('<a href="https://a.example">a</a> `https://b.example` [c](javascript:alert(1))', rules)).toEqual({
      outcome: 'approved',
      reason: '',
    });
    expect(judge('or\n\nange', rules)).toEqual({ outcome: 'approved', reason: '' });
    expect(judge('- or\n- ange', rules)).toEqual({ outcome: 'approved', reason: '' });
  });
});
