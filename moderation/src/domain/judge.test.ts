import type { ModerationRules } from '../rules/moderation-rules';
import { countLinks, judge } from './judge';

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
    expect(countLinks('[a](https://x.example/a) http://y.example www.z.example no.link')).toBe(3);
  });
});
