import MiniSearch, { type Options, type SearchResult as Match } from 'minisearch';
import type { SearchResult } from '@postline/common/api';
import { plainTextOf } from './excerpt';
import { highlight, snippet } from './search-highlight';
import { isPublic } from './visibility';

/** What search keeps of a published post: the fields searched, and what a result shows. */
export interface SearchDoc {
  id: string;
  slug: string;
  title: string;
  /** The body as plain text (Markdown removed): what is searched and what the snippet is cut from. */
  text: string;
  tags: string[];
  authorUsername: string;
  publishedAt: string;
}

/** A post as search reads it (a post read back as gone has only its id). */
export interface SearchablePost {
  _id: string;
  slug?: string;
  title?: string;
  body?: string;
  tags?: string[];
  authorUsername?: string;
  publishedAt?: Date | null;
  published?: boolean;
  deleted?: boolean;
}

/** At most this many matches are ranked (a query matching more shows the best of them). */
export const maxMatches = 1000;

/**
 * What makes a search expensive, bounded: each word is a walk of the index's tree of terms. A
 * fuzzy word walks every branch within its edit distance, which grows with the word (a fifth of
 * its length) and is capped at `maxFuzzy`; a prefix walks every term that starts with it, so only
 * a last word of `minPrefix` letters or more is taken as half typed. How many words, and how long
 * the query, the route bounds (QUERY_SEARCH_MAX_*).
 */
const maxFuzzy = 2;
const minPrefix = 3;

/** The words of a query as the index reads them (MiniSearch's own tokenizer). */
export function searchTermsOf(q: string): string[] {
  return (MiniSearch.getDefault('tokenize') as (text: string) => string[])(q).filter((term) => term.length > 0);
}

/** What is searched and how it ranks: every word must match; title counts thrice, tags twice. */
export const searchOptions: Options<SearchDoc> = {
  fields: ['title', 'text', 'tags'],
  extractField: (doc, field) =>
    field === 'tags' ? doc.tags.join(' ') : (doc as unknown as Record<string, string>)[field],
  searchOptions: {
    boost: { title: 3, tags: 2 },
    combineWith: 'AND',
    // The last word may be half typed; longer words forgive a typo.
    prefix: (term, i, terms) => i === terms.length - 1 && term.length >= minPrefix,
    fuzzy: (term) => (term.length > 4 ? 0.2 : false),
    maxFuzzy,
  },
};

/** What a post contributes to search: nothing unless it is published and not deleted. */
export function searchDocOf(post: SearchablePost): SearchDoc | undefined {
  if (post.title === undefined || !isPublic({ deleted: post.deleted ?? false, published: post.published ?? true }))
    return undefined;
  return {
    id: post._id,
    slug: post.slug ?? post._id,
    title: post.title,
    text: plainTextOf(post.body ?? ''),
    tags: post.tags ?? [],
    authorUsername: post.authorUsername ?? '',
    publishedAt: post.publishedAt?.toISOString() ?? '',
  };
}

/**
 * Best first, at most `maxMatches`. Scores are rounded so that replicas with the same posts rank
 * alike; ties go to the newest, then the id.
 */
export function rankMatches(matches: readonly Match[], docOf: (id: string) => SearchDoc): Match[] {
  return matches
    .map((m) => ({ ...m, score: Math.round(m.score * 1000) / 1000 }))
    .sort((a, b) => {
      if (b.score !== a.score) return b.score - a.score;
      const [da, db] = [docOf(a.id as string), docOf(b.id as string)];
      return da.publishedAt === db.publishedAt
        ? da.id.localeCompare(db.id)
        : db.publishedAt.localeCompare(da.publishedAt);
    })
    .slice(0, maxMatches);
}

/** A match as the reader sees it: the matched words marked in the title and a snippet of the body. */
export function searchResultOf(doc: SearchDoc, match: Pick<Match, 'score' | 'terms'>): SearchResult {
  const terms = new Set(match.terms);
  return {
    id: doc.id,
    slug: doc.slug,
    title: doc.title,
    titleParts: highlight(doc.title, terms),
    snippetParts: highlight(snippet(doc.text, terms), terms),
    tags: doc.tags,
    authorUsername: doc.authorUsername,
    publishedAt: doc.publishedAt,
    score: match.score,
    terms: [...terms].sort(),
  };
}
