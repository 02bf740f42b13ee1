import { readingMinutesOf, wordsPerMinute } from './reading-time';

describe('readingMinutesOf', () => {
  it('is at least one minute, even for an empty body', () => {
    expect(readingMinutesOf('')).toBe(1);
    expect(readingMinutesOf('Hello there.')).toBe(1);
  });

  it('rounds the words at the platform speed up to whole minutes', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    expect(readingMinutesOf(words(wordsPerMinute))).toBe(1);
    expect(readingMinutesOf(words(wordsPerMinute + 1))).toBe(2);
    expect(readingMinutesOf(words(wordsPerMinute * 5))).toBe(5);
  });

  it('counts the words a reader sees, not the Markdown around them', () => {
    const link = '[read](https://example.com/a/very/long/path/with/many/segments/that/are/not/words) ';
    // 200 links: 200 visible words; the URLs would count as many more if the Markdown were counted.
    expect(readingMinutesOf(link.repeat(wordsPerMinute))).toBe(1);
  });
});
