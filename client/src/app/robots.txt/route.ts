import { publicUrl } from '@/lib/public-url';
import { sitePaths } from '@/lib/site-paths';

/**
 * `GET /robots.txt`: everything public may be crawled except the API, the editor and the personal
 * pages (a crawler has no session there), and where the sitemap is.
 */
export const dynamic = 'force-dynamic';

const disallowed = [
  '/api/',
  '/write',
  '/moderation',
  '/signin',
  '/signup',
  '/check-inbox',
  '/verify-email',
  '/forgot-password',
  '/reset-password',
  '/posts/*/edit',
];

export function GET(): Response {
  const lines = [
    'User-agent: *',
    'Allow: /',
    ...disallowed.map((path) => `Disallow: ${path}`),
    '',
    `Sitemap: ${publicUrl(sitePaths.sitemap)}`,
    '',
  ];
  return new Response(lines.join('\n'), {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=3600' },
  });
}
