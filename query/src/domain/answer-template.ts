import { hash } from 'node:crypto';

/**
 * An answer as the routes send it: the JSON text with the personal parts left
 * as slots. Rendered once for the anonymous reader (the bytes the cache keeps
 * and most requests get), and again only for a signed-in reader whom a slot
 * concerns: the personal parts are never taken from another reader's answer.
 */
export interface Viewer {
  id: string;
  moderator: boolean;
  /** Ids of the users the viewer follows. */
  following: ReadonlySet<string>;
}

/** A comment of a post page: visible to everyone when approved, else to its author and moderators. */
export interface CommentPart {
  authorId: string;
  approved: boolean;
  /** The moderation reason: shown to the comment's author and moderators only. */
  reason: string;
  /** The comment's JSON for everyone (reason empty). */
  json: string;
  /** The comment's JSON for its author and moderators (with the reason). */
  ownJson: string;
}

export type Slot =
  /** `likedByMe`: whether the viewer is among the post's likers. */
  | { likers: ReadonlySet<string> }
  /** `followingAuthor`, `followedByMe`: whether the viewer follows this user. */
  | { follows: string }
  /** The comments the viewer may see, comma separated. */
  | { comments: readonly CommentPart[] };

export type Part = string | Slot;

export interface Answer {
  readonly parts: readonly Part[];
  /** The anonymous reader's bytes. */
  readonly body: Buffer;
  readonly etag: string;
  /** What the answer was built from (see change-labels.ts). */
  readonly labels: readonly string[];
  readonly size: number;
}

export interface Rendered {
  body: Buffer;
  etag: string;
}

/** A strong validator of exactly these bytes. */
export function etagOf(body: Buffer): string {
  return `"${hash('sha1', body, 'base64url')}"`;
}

export function answerOf(parts: readonly Part[], labels: readonly string[]): Answer {
  const compact = merge(parts);
  const body = Buffer.from(render(compact, undefined));
  return {
    parts: compact,
    body,
    etag: etagOf(body),
    labels: [...new Set(labels)],
    // The text twice (the parts and the bytes), plus the slots' sets, roughly.
    size: 2 * body.length + 64 * compact.length,
  };
}

/** The answer for this viewer: the shared bytes unless one of its slots says otherwise for them. */
export function renderFor(answer: Answer, viewer: Viewer | undefined): Rendered {
  if (!viewer || !answer.parts.some((p) => typeof p !== 'string' && concerns(p, viewer))) {
    return { body: answer.body, etag: answer.etag };
  }
  const body = Buffer.from(render(answer.parts, viewer));
  return { body, etag: etagOf(body) };
}

function concerns(slot: Slot, viewer: Viewer): boolean {
  if ('likers' in slot) return slot.likers.has(viewer.id);
  if ('follows' in slot) return viewer.following.has(slot.follows);
  return slot.comments.some((c) => mayReadReason(c, viewer) && (!c.approved || c.reason !== ''));
}

const mayReadReason = (comment: CommentPart, viewer: Viewer | undefined): boolean =>
  !!viewer && (viewer.moderator || viewer.id === comment.authorId);

function render(parts: readonly Part[], viewer: Viewer | undefined): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if ('likers' in part) out += !!viewer && part.likers.has(viewer.id);
    else if ('follows' in part) out += !!viewer && viewer.following.has(part.follows);
    else {
      out += part.comments
        .filter((c) => c.approved || mayReadReason(c, viewer))
        .map((c) => (mayReadReason(c, viewer) ? c.ownJson : c.json))
        .join(',');
    }
  }
  return out;
}

/** Adjacent text parts joined, so rendering is a short loop. */
function merge(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out.length - 1;
    if (typeof part === 'string' && typeof out[last] === 'string') out[last] += part;
    else out.push(part);
  }
  return out;
}
