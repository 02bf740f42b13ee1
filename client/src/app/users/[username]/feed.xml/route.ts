import { isUsername, normaliseUsername } from '@postline/common/rules';
import { feedSize, rssOf, rssResponse } from '@/lib/feeds';
import { answerRoute, decodedParam, errorResponse } from '@/lib/route-responses';
import { serverGetOrNull } from '@/lib/server-api';
import { siteName, sitePaths } from '@/lib/site-paths';
import type { UserPostsPage } from '@/lib/types';

/** `GET /users/:username/feed.xml`: an author's newest posts as RSS 2.0; 404 for an unknown user. */
export const dynamic = 'force-dynamic';

export async function GET(_req: Request, { params }: { params: Promise<{ username: string }> }): Promise<Response> {
  return answerRoute(async () => {
    const username = normaliseUsername(decodedParam((await params).username));
    if (!isUsername(username)) return errorResponse(404, 'User not found');
    const page = await serverGetOrNull<UserPostsPage>(
      'query',
      `/api/query/users/${encodeURIComponent(username)}/posts?limit=${feedSize}`,
    );
    if (!page) return errorResponse(404, 'User not found');
    return rssResponse(
      rssOf({
        title: `${page.user.username} on ${siteName}`,
        description: page.user.bio || `Posts by ${page.user.username} on ${siteName}.`,
        pagePath: sitePaths.author(page.user.username),
        feedPath: sitePaths.authorFeed(page.user.username),
        posts: page.posts,
      }),
    );
  });
}
