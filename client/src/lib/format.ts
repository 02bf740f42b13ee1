/** Dates as readers expect them: "12 Mar 2026"; fixed locale and zone so server and browser render the same text. */
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

/** "12 Mar 2026, 09:30 UTC": when a scheduled post goes out (UTC, so server and browser agree). */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}

/** When a post went public (older answers without `publishedAt`: when it was written). */
export function publishedOf(post: { publishedAt?: string | null; createdAt: string }): string {
  return post.publishedAt ?? post.createdAt;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A positive page number from a query string value, 1 otherwise. */
export function pageNumber(value: string | string[] | undefined): number {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** "4 min read": the query service gives whole minutes (at least 1) at 200 words a minute. */
export function readingTime(minutes: number): string {
  return `${Math.max(1, minutes)} min read`;
}
