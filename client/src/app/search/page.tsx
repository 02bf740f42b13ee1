import type { Metadata } from 'next';
import Link from 'next/link';
import { ErrorState } from '@/components/ErrorState';
import { Highlighted } from '@/components/Highlighted';
import { TagList } from '@/components/TagLink';
import { firstValue, formatDate, pageNumber, plural } from '@/lib/format';
import { ServiceError, serverGet } from '@/lib/server-api';
import { sitePaths } from '@/lib/site-paths';
import type { SearchPage as SearchAnswer } from '@/lib/types';

const PAGE_SIZE = 10;

type Search = Promise<Record<string, string | string[] | undefined>>;

const queryOf = (value: string | string[] | undefined) => (firstValue(value) ?? '').trim();

export async function generateMetadata({ searchParams }: { searchParams: Search }): Promise<Metadata> {
  const q = queryOf((await searchParams).q);
  // Result pages are not content of their own: kept out of search engines.
  return { title: q ? `Search: ${q}` : 'Search', robots: { index: false, follow: true } };
}

/** Search results: published posts matching every word, best first, the matched words highlighted. */
export default async function SearchPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const q = queryOf(params.q);
  const page = pageNumber(params.page);
  const query = new URLSearchParams({ q, page: String(page), limit: String(PAGE_SIZE) });
  const outcome: { answer: SearchAnswer | null; problem: string | null } = q
    ? await serverGet<SearchAnswer>('query', `/api/query/search?${query}`).then(
        (answer) => ({ answer, problem: null }),
        (err: unknown) => ({
          answer: null,
          // A 400 says what is wrong with the search (too long, …); anything else is an outage.
          problem:
            err instanceof ServiceError && err.status === 400
              ? err.message
              : 'Search is unavailable. Please try again in a moment.',
        }),
      )
    : { answer: null, problem: null };
  const { answer, problem } = outcome;
  const totalPages = answer ? Math.max(1, Math.ceil(answer.total / PAGE_SIZE)) : 1;

  return (
    <section aria-labelledby="search-heading">
      <div className="page-heading">
        <h1 id="search-heading">{q ? <>Results for “{q}”</> : 'Search'}</h1>
        {answer ? <p className="muted">{plural(answer.total, 'post')} found</p> : null}
      </div>
      <form role="search" action="/search" method="get" className="search-form">
        <label htmlFor="search-page-input" className="visually-hidden">
          Search posts
        </label>
        <input id="search-page-input" type="search" name="q" defaultValue={q} maxLength={100} required />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {problem ? <ErrorState title="No results" message={problem} /> : null}
      {answer && answer.results.length === 0 ? <p>No published post matches “{q}”.</p> : null}
      {answer && answer.results.length > 0 ? (
        <ol className="post-list search-results" data-testid="search-results">
          {answer.results.map((result) => (
            <li key={result.id}>
              <article className="card post-card" data-testid="search-result">
                <header className="post-card-meta">
                  <Link href={sitePaths.author(result.authorUsername)} className="author-link">
                    {result.authorUsername}
                  </Link>
                  <span aria-hidden="true">·</span>
                  <time dateTime={result.publishedAt}>{formatDate(result.publishedAt)}</time>
                </header>
                <h2 className="post-card-title">
                  <Link href={sitePaths.post(result.slug)}>
                    <Highlighted parts={result.titleParts} />
                  </Link>
                </h2>
                <p className="post-card-excerpt">
                  <Highlighted parts={result.snippetParts} />
                </p>
                <TagList tags={result.tags} />
              </article>
            </li>
          ))}
        </ol>
      ) : null}
      {answer && totalPages > 1 ? (
        <nav className="pagination" aria-label="Search result pages">
          {page > 1 ? <Link href={sitePaths.search(q, page - 1)}>← Previous</Link> : <span />}
          <span className="pagination-status">
            Page {page} of {totalPages}
          </span>
          {page < totalPages ? <Link href={sitePaths.search(q, page + 1)}>Next →</Link> : <span />}
        </nav>
      ) : null}
    </section>
  );
}
