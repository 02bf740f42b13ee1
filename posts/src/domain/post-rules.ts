import { randomBytes } from 'node:crypto';
import slugify from 'slugify';
import type { PostStatus } from '@postline/common';

/**
 * The rules of a post, independent of HTTP and storage. Lengths are counted in
 * UTF-16 code units, as the event catalogue's schemas count them, so a post
 * that passes here can always be announced. The tag rules, and who may change
 * or publish a post, are shared with the client: `@postline/common/rules`.
 */
export const TITLE_MAX_LENGTH = 200;
/** The Markdown body's limit, in UTF-8 bytes (what it costs to store and send). */
export const BODY_MAX_BYTES = 50 * 1024;
/** Slugs stay readable in a URL; the rest of a long title is left out. */
export const SLUG_BASE_MAX_LENGTH = 80;

/** Why a title is unacceptable (after trimming), or undefined. */
export function titleProblem(title: string): string | undefined {
  return title.length >= 1 && title.length <= TITLE_MAX_LENGTH
    ? undefined
    : `Title must be 1 to ${TITLE_MAX_LENGTH} characters`;
}

/** Why a Markdown body is unacceptable, or undefined. Whitespace is kept: it can matter in Markdown. */
export function bodyProblem(body: string): string | undefined {
  if (body.trim().length === 0) return 'Body must not be empty';
  if (Buffer.byteLength(body, 'utf8') > BODY_MAX_BYTES) return `Body must be at most ${BODY_MAX_BYTES / 1024} KB`;
  return undefined;
}

const objectIdLike = /^[0-9a-f]{24}$/;

/**
 * The slug a title asks for: lower-case ASCII words joined by `-` (slugify
 * transliterates accents and many scripts), cut at a word boundary. A title
 * with nothing to transliterate gets "post"; one whose slug would look like a
 * post id gets a prefix, so `/posts/:idOrSlug` in the query service is never
 * ambiguous.
 */
export function baseSlugFor(title: string): string {
  let slug = slugify(title, { lower: true, strict: true, trim: true, locale: 'en' });
  if (slug.length > SLUG_BASE_MAX_LENGTH) {
    slug = slug.slice(0, SLUG_BASE_MAX_LENGTH + 1);
    const lastDash = slug.lastIndexOf('-');
    slug = lastDash > 0 ? slug.slice(0, lastDash) : slug.slice(0, SLUG_BASE_MAX_LENGTH);
  }
  if (!slug) return 'post';
  return objectIdLike.test(slug) ? `post-${slug}` : slug;
}

/** A slug taken already gets a short random suffix: "hello-world-3f9a1c". */
export function suffixedSlug(base: string): string {
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/** Posts are ObjectIds as 24 lower-case hex digits; anything else cannot name one. */
export function isPostId(value: string): boolean {
  return objectIdLike.test(value);
}

// Drafts and publishing

/** How far ahead a draft may be scheduled: a date years away is more likely a typo than a plan. */
export const SCHEDULE_MAX_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/** What a post's publication looks like: a draft (maybe scheduled) or published since a time. */
export interface Publication {
  status: PostStatus;
  publishedAt: Date | null;
  publishAt: Date | null;
}

/**
 * Why a scheduled time is unacceptable, or undefined: an ISO 8601 date-time
 * with an offset (as the event catalogue wants it), in the future, at most a
 * year ahead.
 */
export function publishAtProblem(value: unknown, now: Date): string | undefined {
  const isoWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  if (typeof value !== 'string' || !isoWithOffset.test(value) || Number.isNaN(Date.parse(value))) {
    return 'publishAt must be a date and time with a time zone, e.g. 2030-01-31T09:00:00Z';
  }
  const at = Date.parse(value);
  if (at <= now.getTime()) return 'publishAt must be in the future';
  if (at - now.getTime() > SCHEDULE_MAX_AHEAD_MS) return 'publishAt must be at most a year ahead';
  return undefined;
}

/**
 * The publication a new post starts with. Without `status` a post is
 * published at once (what `POST /api/posts` always did, so scripts, the
 * benchmark and older clients keep working); with `publishAt` it is a
 * scheduled draft.
 */
export function initialPublication(input: { status?: PostStatus; publishAt?: string }, now: Date): Publication {
  if (input.publishAt !== undefined)
    return { status: 'draft', publishedAt: null, publishAt: new Date(input.publishAt) };
  if (input.status === 'draft') return { status: 'draft', publishedAt: null, publishAt: null };
  return { status: 'published', publishedAt: now, publishAt: null };
}

/** Publishing: a draft becomes published now; a published post stays as it is (undefined: nothing to do). */
export function publish(post: Publication, now: Date): Publication | undefined {
  if (post.status === 'published') return undefined;
  return { status: 'published', publishedAt: now, publishAt: null };
}

/** Unpublishing: back to a draft, unscheduled; a draft that is not scheduled stays as it is. */
export function unpublish(post: Publication): Publication | undefined {
  if (post.status === 'draft' && post.publishAt === null) return undefined;
  return { status: 'draft', publishedAt: null, publishAt: null };
}

/** Scheduling a draft (or moving its time); a published post cannot be scheduled (unpublish it first). */
export function schedule(post: Publication, publishAt: Date): Publication | undefined | 'published' {
  if (post.status === 'published') return 'published';
  if (post.publishAt?.getTime() === publishAt.getTime()) return undefined;
  return { status: 'draft', publishedAt: null, publishAt };
}

/** A scheduled draft whose time has come. */
export function isDue(post: Publication, now: Date): boolean {
  return post.status === 'draft' && post.publishAt !== null && post.publishAt.getTime() <= now.getTime();
}

/** A draft is seen (read, liked, commented) by its author only; a published post by anyone. */
export function canSeePost(
  viewer: { id: string } | undefined,
  post: { status: PostStatus; authorId: string },
): boolean {
  return post.status === 'published' || viewer?.id === post.authorId;
}
