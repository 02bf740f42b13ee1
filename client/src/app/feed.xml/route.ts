import { feedSize, rssOf, rssResponse } from '@/lib/feeds';
import { answerRoute } from '@/lib/route-responses';
import { serverGet } from '@/lib/server-api';
import { siteDescription, siteName, sitePaths } from '@/lib/site-paths';
import type { PostPage } from '@/lib/types';

/** `GET /feed.xml`: the newest posts of the whole blog as RSS 2.0. */
export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return answerRoute(async () => {
    const { posts } = await serverGet<PostPage>('query', `/api/query/posts?limit=${feedSize}`);
    return rssResponse(
      rssOf({
        title: siteName,
        description: siteDescription,
        pagePath: sitePaths.home,
        feedPath: sitePaths.blogFeed,
        posts,
      }),
    );
  });
}
