import { isTag, normaliseTag } from '@postline/common/rules';
import { feedSize, rssOf, rssResponse } from '@/lib/feeds';
import { answerRoute, decodedParam, errorResponse } from '@/lib/route-responses';
import { serverGetOrNull } from '@/lib/server-api';
import { siteName, sitePaths } from '@/lib/site-paths';
import type { PostPage } from '@/lib/types';

/** `GET /tags/:tag/feed.xml`: the newest posts with a tag as RSS 2.0 (an empty channel for an unused tag). */
export const dynamic = 'force-dynamic';

export async function GET(_req: Request, { params }: { params: Promise<{ tag: string }> }): Promise<Response> {
  return answerRoute(async () => {
    const tag = normaliseTag(decodedParam((await params).tag));
    if (!isTag(tag)) return errorResponse(404, 'No such tag');
    const page = await serverGetOrNull<PostPage>(
      'query',
      `/api/query/posts?${new URLSearchParams({ tag, limit: String(feedSize) })}`,
    );
    // The query service answers 400 for what cannot be a tag: no feed for it.
    if (!page) return errorResponse(404, 'No such tag');
    return rssResponse(
      rssOf({
        title: `#${tag} on ${siteName}`,
        description: `Posts tagged #${tag} on ${siteName}.`,
        pagePath: sitePaths.tag(tag),
        feedPath: sitePaths.tagFeed(tag),
        posts: page.posts,
      }),
    );
  });
}
