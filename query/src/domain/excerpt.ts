import removeMarkdown from 'remove-markdown';

export const excerptLength = 200;

/**
 * The plain-text start of a Markdown body for post lists: formatting removed,
 * whitespace collapsed, cut at a word boundary with an ellipsis.
 */
export function excerptOf(markdownBody: string, maxLength = excerptLength): string {
  const text = plainTextOf(markdownBody.slice(0, maxLength * 10));
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** A Markdown body as plain text: formatting removed, whitespace collapsed. */
export function plainTextOf(markdownBody: string): string {
  return removeMarkdown(markdownBody).replace(/\s+/g, ' ').trim();
}
