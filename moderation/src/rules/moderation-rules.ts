import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '@postline/common';

const word = z.string().trim().min(1).max(100).toLowerCase();

const rulesSchema = z
  .object({
    $comment: z.string().optional(),
    /** A comment containing one of these, as a whole word in any case, is rejected. */
    blockedWords: z.array(word).max(1_000),
    /** A comment with more links than this is rejected. */
    maxLinks: z.number().int().min(0),
    /** What sends a comment to a moderator instead of deciding it automatically. */
    review: z
      .object({
        words: z.array(word).max(1_000),
        /** A comment with at least this many links (and no more than maxLinks) goes to review; 0 turns this off. */
        minLinks: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();

export type ModerationRules = Omit<z.infer<typeof rulesSchema>, '$comment'>;

/** The rules file shipped with the service: `moderation/rules.json`, found from `src/` and `dist/` alike. */
export const defaultRulesFile = path.resolve(__dirname, '..', '..', 'rules.json');

type Env = Record<string, string | undefined>;

const wordList = (value: string) =>
  value
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);

function count(name: string, value: string, problems: string[]): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) {
    problems.push(`${name}: must be a whole number, 0 or more`);
    return 0;
  }
  return parsed;
}

/**
 * The moderation rules: the JSON file (`MODERATION_RULES_FILE`, else the
 * shipped `rules.json`), then single settings overridden from the environment.
 * Any problem is a ConfigError naming it, so the service refuses to start with
 * rules nobody meant.
 */
export function loadModerationRules(env: Env = process.env): ModerationRules {
  const file = env.MODERATION_RULES_FILE?.trim() || defaultRulesFile;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`MODERATION_RULES_FILE: cannot read rules from ${file}: ${(err as Error).message}`]);
  }
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`),
    );
  }
  const { $comment: _comment, ...rules } = parsed.data;
  const problems: string[] = [];
  if (env.MODERATION_BLOCKED_WORDS !== undefined) rules.blockedWords = wordList(env.MODERATION_BLOCKED_WORDS);
  if (env.MODERATION_MAX_LINKS !== undefined)
    rules.maxLinks = count('MODERATION_MAX_LINKS', env.MODERATION_MAX_LINKS, problems);
  if (env.MODERATION_REVIEW_WORDS !== undefined) rules.review.words = wordList(env.MODERATION_REVIEW_WORDS);
  if (env.MODERATION_REVIEW_MIN_LINKS !== undefined) {
    rules.review.minLinks = count('MODERATION_REVIEW_MIN_LINKS', env.MODERATION_REVIEW_MIN_LINKS, problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return rules;
}
