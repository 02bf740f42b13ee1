import type { OutgoingHttpHeaders } from 'node:http';
import { personalCacheControl, securityHeaders } from '@postline/common';
import type { Rendered } from '../../domain/answer-template';

/**
 * How every answer of the query routes goes out (the front door's too, which Express never sees).
 * Read signed out, `private, no-cache`: the browser may keep an answer but must ask again each
 * time (If-None-Match, a 304 when nothing changed), so it never shows a stale page. Read signed
 * in, the answer is personal (the reader's likes, follows, held comments, drafts): `no-store`,
 * like every personal answer. Shared caches keep neither, since the same URL answers each
 * signed-in reader with their own flags and comments (hence also `Vary`).
 */
export function answerHeaders(rendered: Rendered, personal: boolean): OutgoingHttpHeaders {
  return {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    ETag: rendered.etag,
    'Cache-Control': personal ? personalCacheControl : 'private, no-cache',
    Vary: 'Cookie, Authorization',
  };
}

const noCache = /(?:^|,)\s*no-cache\s*(?:,|$)/;

/**
 * Whether the client already has these bytes (as Express decides for
 * `res.send`): If-None-Match lists the ETag (compared weakly) or is `*`, and
 * the request does not ask to bypass caches.
 */
export function clientHasIt(headers: { 'if-none-match'?: string; 'cache-control'?: string }, etag: string): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (!ifNoneMatch) return false;
  if (headers['cache-control'] && noCache.test(headers['cache-control'])) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const ours = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === ours);
}
