import removeMarkdown from 'remove-markdown';

export const excerptLength = 200;

/**
 * The plain-text start of a Markdown body for post lists: formatting removed,
 * whitespace collapsed, cut at a word boundary with an ellipsis.
 */
export function excerptOf(markdownBody: string, maxLength = excerptLength): string {
  const text = removeMarkdown(markdownBody.slice(0, maxLength * 10))
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
