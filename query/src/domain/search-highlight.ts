import type { TextPart } from '@postline/common/api';

/**
 * Highlights as data, never HTML: a text cut into parts, the matched words
 * marked. The client renders each part as text (a marked one in <mark>), so
 * nothing a writer typed is ever interpreted as markup.
 */
export type { TextPart };

/** MiniSearch's default tokenizer splits on spaces and punctuation: words are marked the way they were indexed. */
const wordPattern = /[^\n\r\p{Z}\p{P}]+/gu;

/** `text` in parts, each word whose lower-case form is one of `terms` (MiniSearch's matched terms) marked. */
export function highlight(text: string, terms: ReadonlySet<string>): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(wordPattern)) {
    if (!terms.has(match[0].toLowerCase())) continue;
    const start = match.index ?? 0;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: match[0], mark: true });
    at = start + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

export const snippetLength = 200;

/**
 * A window of the plain body around its first matched word (the start when
 * none is in the body), cut at word boundaries, with ellipses where it was cut.
 */
export function snippet(plain: string, terms: ReadonlySet<string>, maxLength = snippetLength): string {
  if (plain.length <= maxLength) return plain;
  let first = 0;
  for (const match of plain.matchAll(wordPattern)) {
    if (terms.has(match[0].toLowerCase())) {
      first = match.index ?? 0;
      break;
    }
  }
  let start = Math.max(0, Math.min(first - Math.floor(maxLength / 3), plain.length - maxLength));
  if (start > 0) {
    const space = plain.indexOf(' ', start);
    if (space !== -1 && space < first) start = space + 1;
  }
  let end = Math.min(plain.length, start + maxLength);
  if (end < plain.length) {
    const space = plain.lastIndexOf(' ', end);
    if (space > first) end = space;
  }
  return `${start > 0 ? '…' : ''}${plain.slice(start, end).trim()}${end < plain.length ? '…' : ''}`;
}
