import { highlight, snippet } from './search-highlight';

describe('highlight', () => {
  it('marks the matched words whatever their case, and the parts put together are the text', () => {
    const text = 'Zeppelins, zeppelin and ZEPPELIN: not zeppelinish.';
    const parts = highlight(text, new Set(['zeppelin', 'zeppelins']));
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['Zeppelins', 'zeppelin', 'ZEPPELIN']);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });

  it('keeps markup as text: a part is never HTML', () => {
    const parts = highlight('<img src=x onerror="alert(1)"> bold', new Set(['bold']));
    expect(parts).toEqual([{ text: '<img src=x onerror="alert(1)"> ' }, { text: 'bold', mark: true }]);
  });

  it('gives the whole text unmarked when nothing matched', () => {
    expect(highlight('plain words', new Set(['other']))).toEqual([{ text: 'plain words' }]);
  });
});

describe('snippet', () => {
  const long = `${'alpha beta gamma '.repeat(30)}the needle is here ${'delta epsilon '.repeat(30)}`.trim();

  it('is a window around the first matched word, cut at spaces, with ellipses where it was cut', () => {
    const cut = snippet(long, new Set(['needle']), 100);
    expect(cut).toContain('needle');
    expect(cut.startsWith('…')).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(102);
    // Whole words only.
    expect(long).toContain(cut.slice(1, -1));
    expect(cut.slice(1, -1)).toMatch(/^\S.*\S$/);
  });

  it('is the start when no word of the body matched, and the whole of a short body', () => {
    expect(snippet(long, new Set(['absent']), 100).startsWith('alpha beta')).toBe(true);
    expect(snippet('short body', new Set(['body']))).toBe('short body');
  });
});
