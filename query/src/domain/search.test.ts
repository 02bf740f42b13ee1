import MiniSearch from 'minisearch';
import { rankMatches, searchDocOf, searchOptions, searchResultOf, searchTermsOf, type SearchDoc } from './search';

const post = {
  _id: 'p1',
  slug: 'zeppelins',
  title: 'Zeppelins',
  body: '# Airships\n\nThe **zeppelin** flew.',
  tags: ['air'],
  authorUsername: 'ann',
  publishedAt: new Date('2026-01-02T00:00:00Z'),
  published: true,
  deleted: false,
};

describe('searchDocOf', () => {
  it('keeps the body as plain text, dated by publishedAt', () => {
    expect(searchDocOf(post)).toEqual({
      id: 'p1',
      slug: 'zeppelins',
      title: 'Zeppelins',
      text: expect.not.stringContaining('**') as string,
      tags: ['air'],
      authorUsername: 'ann',
      publishedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('gives nothing for a draft, a tombstone or a post read back as gone', () => {
    expect(searchDocOf({ ...post, published: false })).toBeUndefined();
    expect(searchDocOf({ ...post, deleted: true })).toBeUndefined();
    expect(searchDocOf({ _id: 'p1' })).toBeUndefined();
  });
});

describe('searchTermsOf', () => {
  it('splits a query into words as the index does', () => {
    expect(searchTermsOf('  red,  zeppelin! ')).toEqual(['red', 'zeppelin']);
  });
});

describe('rankMatches and searchResultOf', () => {
  const docs: SearchDoc[] = ['a', 'b', 'c'].map((id, i) => ({
    id,
    slug: id,
    title: 'Same title',
    text: 'same words',
    tags: [],
    authorUsername: 'ann',
    publishedAt: `2026-01-0${i + 1}T00:00:00.000Z`,
  }));
  const index = new MiniSearch<SearchDoc>(searchOptions);
  index.addAll(docs);
  const docOf = (id: string) => docs.find((d) => d.id === id)!;

  it('ranks equal scores newest first', () => {
    expect(rankMatches(index.search('same'), docOf).map((m) => m.id)).toEqual(['c', 'b', 'a']);
  });

  it('needs every word of the query', () => {
    expect(index.search('same absent')).toEqual([]);
  });

  it('marks the matched words in the title', () => {
    const best = rankMatches(index.search('title'), docOf)[0]!;
    const result = searchResultOf(docOf(best.id as string), best);
    expect(result.titleParts).toEqual([{ text: 'Same ' }, { text: 'title', mark: true }]);
    expect(result.terms).toEqual(['title']);
  });
});
