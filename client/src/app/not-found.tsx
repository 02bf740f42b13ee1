import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="error-state">
      <h1>Not found</h1>
      <p>There is nothing here. It may have been deleted, or the link may be mistyped.</p>
      <Link href="/" className="button button-primary">
        Back to the latest posts
      </Link>
    </div>
  );
}
