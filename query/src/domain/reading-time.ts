import readingTime from 'reading-time';
import removeMarkdown from 'remove-markdown';

/** The one reading-speed rule of the platform: 200 words a minute (reading-time's default, stated here). */
export const wordsPerMinute = 200;

/**
 * Whole minutes a reader needs for a Markdown body, at least 1: counted on the
 * text a reader sees (formatting removed), computed once at write time so the
 * lists never read bodies.
 */
export function readingMinutesOf(markdownBody: string): number {
  const { minutes } = readingTime(removeMarkdown(markdownBody), { wordsPerMinute });
  return Math.max(1, Math.ceil(minutes));
}
