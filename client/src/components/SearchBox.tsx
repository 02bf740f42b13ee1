/** The header's search: a plain GET form to /search, so it works before (and without) JavaScript. */
export function SearchBox() {
  return (
    <form role="search" action="/search" method="get" className="search-box">
      <label htmlFor="site-search" className="visually-hidden">
        Search posts
      </label>
      <input
        id="site-search"
        type="search"
        name="q"
        placeholder="Search posts"
        maxLength={100}
        required
        autoComplete="off"
        data-testid="search-input"
      />
    </form>
  );
}
