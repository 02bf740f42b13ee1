/**
 * Shown while a page's server-side reads are on their way. Only pages that never answer 404 have
 * a loading boundary (their segment's `loading.tsx`): a boundary lets Next.js send the page's
 * status (200) before the page knows it has nothing to show, and a missing, draft or deleted post
 * must answer 404, not a 200 saying "Not found" (issue #22).
 */
export function PageLoading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>Loading…</span>
      <div className="skeleton-list" aria-hidden="true">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
      </div>
    </div>
  );
}
