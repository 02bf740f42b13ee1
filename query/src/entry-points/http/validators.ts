import { isTag, normaliseTag, usernamePattern } from '@postline/common/rules';
import { query, type ValidationChain } from 'express-validator';
import { searchTermsOf } from '../../domain/search';

export const defaultLimit = 20;
export const maxLimit = 50;
export const maxPage = 100_000;

/** Post ids and slugs: anything else cannot name a post (404, never a query with odd characters). */
export const idOrSlugPattern = /^[A-Za-z0-9_-]{1,260}$/;

/** An optional whole number from 1 to `max` (`range`: how the message states the bounds). */
const wholeNumber = (name: string, max: number, range = `from 1 to ${max}`): ValidationChain =>
  query(name).optional().isInt({ min: 1, max }).withMessage(`${name} must be a whole number ${range}`).bail().toInt();

// A page past maxPage is refused too; the message leaves that bound unsaid.
const paging: ValidationChain[] = [wholeNumber('page', maxPage, 'from 1'), wholeNumber('limit', maxLimit)];

export const postListRules: ValidationChain[] = [
  ...paging,
  query('tag')
    .optional()
    .isString()
    .withMessage('tag must be a single value')
    .bail()
    // Normalised as the posts service stores tags (`@postline/common/rules`), so `?tag=Web Dev` finds web-dev.
    .customSanitizer((value: string) => normaliseTag(value))
    .custom((value: string) => isTag(value))
    .withMessage('tag must be 1 to 40 letters, digits or + # . _ -, starting with a letter or digit'),
  query('author')
    .optional()
    .isString()
    .withMessage('author must be a single value')
    .bail()
    .trim()
    .toLowerCase()
    .matches(usernamePattern)
    .withMessage('author must be a username (3 to 30 letters, digits or underscores)'),
];

export const pageOnlyRules: ValidationChain[] = paging;

/** No query parameters at all (anything given is an unknown field). */
export const noQueryRules: ValidationChain[] = [];

export const defaultSearchLimit = 10;

/** What one search may cost at most (QUERY_SEARCH_MAX_* settings). */
export interface SearchBounds {
  maxChars: number;
  maxTerms: number;
  maxLimit: number;
}

/**
 * GET /search: `q` of 1 to `maxChars` characters (after trimming) and at most `maxTerms` words as
 * the index reads them (`searchTermsOf`), a page, and at most `maxLimit` results.
 */
export const searchRules = ({ maxChars, maxTerms, maxLimit }: SearchBounds): ValidationChain[] => [
  query('q')
    .isString()
    .withMessage('q must be a single value')
    .bail()
    .trim()
    .isLength({ min: 1, max: maxChars })
    .withMessage(`q must be 1 to ${maxChars} characters`)
    .bail()
    .custom((q: string) => searchTermsOf(q).length <= maxTerms)
    .withMessage(`q must have at most ${maxTerms} words`),
  wholeNumber('page', 1000),
  wholeNumber('limit', maxLimit),
];
