export const TAGS_MAX_COUNT = 10;
export const TAG_MAX_LENGTH = 40;

/**
 * Letters and digits of any script, and a few joiners people use in tags
 * (`c++`, `c#`, `node.js`, `web-dev`, `snake_case`); starts with a letter or digit.
 */
const tagPattern = /^[\p{L}\p{N}][\p{L}\p{N}+#._-]*$/u;

/**
 * Trimmed, lower-case, inner whitespace as one `-`: "  Web  Dev " → "web-dev".
 * NFKC first, so "café" typed with a combining accent is the same tag as "café".
 */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '-');
}

/** Normalised tags in first-seen order, without duplicates. */
export function normaliseTags(raw: string[]): string[] {
  return [...new Set(raw.map(normaliseTag))];
}

/** Whether a normalised value can be a tag (what a post may carry, so what a tag archive may name). */
export function isTag(tag: string): boolean {
  return tag.length >= 1 && tag.length <= TAG_MAX_LENGTH && tagPattern.test(tag);
}

/** Why a list of tags is unacceptable, or undefined if it is fine. */
export function tagsProblem(raw: unknown): string | undefined {
  if (!Array.isArray(raw) || raw.some((tag) => typeof tag !== 'string')) return 'Tags must be a list of strings';
  const tags = normaliseTags(raw as string[]);
  if (tags.some((tag) => tag.length === 0 || tag.length > TAG_MAX_LENGTH)) {
    return `Each tag must be 1 to ${TAG_MAX_LENGTH} characters`;
  }
  if (tags.some((tag) => !tagPattern.test(tag))) {
    return 'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit';
  }
  if (tags.length > TAGS_MAX_COUNT) return `At most ${TAGS_MAX_COUNT} different tags`;
  return undefined;
}

/** Tags as a writer types them ("react, Next.js  css"): split at commas and whitespace, normalised. */
export function parseTagList(text: string): string[] {
  return normaliseTags(text.split(/[,\s]+/).filter((t) => t.trim() !== ''));
}
