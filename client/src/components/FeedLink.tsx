/** A visible link to a feed (the same one the page's `<link rel="alternate">` announces). */
export function FeedLink({ href, label }: { href: string; label: string }) {
  return (
    <a href={href} className="feed-link" type="application/rss+xml">
      <span aria-hidden="true">◉</span> {label}
    </a>
  );
}
