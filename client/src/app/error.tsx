'use client';

/** Any page whose server-side reads failed unexpectedly: say so, and offer to try again. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="error-state" role="alert">
      <h1>Something went wrong</h1>
      <p>Part of Postline is not answering right now. Please try again in a moment.</p>
      <button type="button" className="button button-primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
