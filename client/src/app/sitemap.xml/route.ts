import { answerRoute } from '@/lib/route-responses';
import { serverGet } from '@/lib/server-api';
import { postsPerSitemap, sitemapFiles, sitemapIndexXml, xmlResponse } from '@/lib/sitemaps';
import type { PostPage } from '@/lib/types';

/** `GET /sitemap.xml`: the sitemap index, the pages' sitemap and one sitemap per page of posts. */
export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return answerRoute(async () => {
    // The smallest page read gives the maintained total.
    const { total } = await serverGet<PostPage>('query', '/api/query/posts?limit=1');
    const postPages = Math.ceil(total / postsPerSitemap);
    const files = [sitemapFiles.pages, ...Array.from({ length: postPages }, (_, i) => sitemapFiles.posts(i + 1))];
    return xmlResponse(await sitemapIndexXml(files));
  });
}
