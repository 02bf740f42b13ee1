import type { ModerationRules } from '../rules/moderation-rules';
import { renderedText } from './rendered-text';

/** What the rules say about one version of a comment's text. */
export type Verdict =
  | { outcome: 'approved'; reason: string }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'review'; flags: string[] };

/** Matches a word or phrase on its own: not inside another word, any case, spaces between words flexible. */
function wholeWord(word: string): RegExp {
  const escaped = word
    .split(/\s+/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'iu');
}

export function wordsFound(text: string, words: string[]): string[] {
  return words.filter((word) => wholeWord(word).test(text));
}

/**
 * Judges a comment's body as its readers see it (rendered: Markdown and entities resolved,
 * invisible characters gone, Unicode normalised; links counted from the rendered links): clearly bad (a blocked word, too many links) is
 * rejected with a reason naming the rule; borderline (a review word, several
 * links) goes to a moderator with flags saying why; the rest is approved.
 */
export function judge(body: string, rules: ModerationRules): Verdict {
  const { text, links: rendered } = renderedText(body);
  const blocked = wordsFound(text, rules.blockedWords);
  if (blocked.length > 0) {
    return {
      outcome: 'rejected',
      reason: `${blocked.length === 1 ? 'blocked word' : 'blocked words'}: ${blocked.join(', ')}`,
    };
  }
  const links = rendered.length;
  if (links > rules.maxLinks) {
    return { outcome: 'rejected', reason: `too many links: ${links} (at most ${rules.maxLinks})` };
  }
  const flags = wordsFound(text, rules.review.words).map((word) => `review word: ${word}`);
  if (rules.review.minLinks > 0 && links >= rules.review.minLinks) flags.push(`links: ${links}`);
  if (flags.length > 0) return { outcome: 'review', flags };
  return { outcome: 'approved', reason: '' };
}
