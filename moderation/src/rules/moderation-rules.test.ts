import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@postline/common';
import { loadModerationRules } from './moderation-rules';

function rulesFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rules-')), 'rules.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadModerationRules', () => {
  it('ships default rules that block "orange"', () => {
    const rules = loadModerationRules({});
    expect(rules.blockedWords).toContain('orange');
    expect(rules.maxLinks).toBeGreaterThan(0);
    expect(rules.review.words.length).toBeGreaterThan(0);
  });

  it('reads another file, normalising words to lower case', () => {
    const file = rulesFile({ blockedWords: ['Kiwi '], maxLinks: 1, review: { words: ['Hmm'], minLinks: 0 } });
    expect(loadModerationRules({ MODERATION_RULES_FILE: file })).toEqual({
      blockedWords: ['kiwi'],
      maxLinks: 1,
      review: { words: ['hmm'], minLinks: 0 },
    });
  });

  it('lets the environment override single settings', () => {
    const rules = loadModerationRules({
      MODERATION_BLOCKED_WORDS: 'Apple, pear ,,',
      MODERATION_MAX_LINKS: '0',
      MODERATION_REVIEW_WORDS: '',
      MODERATION_REVIEW_MIN_LINKS: '5',
    });
    expect(rules).toEqual({ blockedWords: ['apple', 'pear'], maxLinks: 0, review: { words: [], minLinks: 5 } });
  });

  it.each([
    ['a missing file', { MODERATION_RULES_FILE: '/nonexistent/rules.json' }, /cannot read rules/],
    ['malformed JSON', { MODERATION_RULES_FILE: rulesFile('{"blockedWords": [') }, /cannot read rules/],
    [
      'a wrong shape',
      { MODERATION_RULES_FILE: rulesFile({ blockedWords: 'orange', maxLinks: 1, review: { words: [], minLinks: 0 } }) },
      /blockedWords/,
    ],
    [
      'an unknown setting',
      {
        MODERATION_RULES_FILE: rulesFile({
          blockedWords: [],
          maxLinks: 1,
          maxLink: 2,
          review: { words: [], minLinks: 0 },
        }),
      },
      /maxLink/,
    ],
    ['a bad number', { MODERATION_MAX_LINKS: 'many' }, /MODERATION_MAX_LINKS/],
    ['a negative number', { MODERATION_REVIEW_MIN_LINKS: '-1' }, /MODERATION_REVIEW_MIN_LINKS/],
  ])('refuses %s with a ConfigError naming the problem', (_name, env, message) => {
    expect(() => loadModerationRules(env)).toThrow(ConfigError);
    expect(() => loadModerationRules(env)).toThrow(message);
  });
});
