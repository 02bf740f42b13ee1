import { incompletePageAttribute } from '../../server/security-headers';

/** Marks what shows a failed read: the page cache never keeps such a page (server/front-door.ts). */
export const incomplete = { [incompletePageAttribute]: '' };

/** What a page shows when a service it reads from is unavailable: the page itself stays up. */
export function ErrorState({ title = 'Something went wrong', message }: { title?: string; message: string }) {
  return (
    <div className="error-state" role="alert" {...incomplete}>
      <h2>{title}</h2>
      <p>{message}</p>
    </div>
  );
}
