/** What a page shows when a service it reads from is unavailable: the page itself stays up. */
export function ErrorState({ title = 'Something went wrong', message }: { title?: string; message: string }) {
  return (
    <div className="error-state" role="alert">
      <h2>{title}</h2>
      <p>{message}</p>
    </div>
  );
}
