import { answerRoute, errorResponse } from '@/lib/route-responses';
import { serverGet } from '@/lib/server-api';
import { EnumChangefreq } from 'sitemap';
import { sitePaths } from '@/lib/site-paths';
import { postsPerSitemap, postsSitemapPage, sitemapFiles, sitemapXml, xmlResponse } from '@/lib/sitemaps';
import type { PostPage, TagCount } from '@/lib/types';

/**
 * `GET /sitemaps/pages.xml`: the home page and every listed tag's archive;
 * `GET /sitemaps/posts-<n>.xml`: the n-th page of posts (newest first) with their authors' pages.
 */
export const dynamic = 'force-dynamic';

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await params;
  return answerRoute(async () => {
    if (file === sitemapFiles.pages) {
      const { tags } = await serverGet<{ tags: TagCount[] }>('query', '/api/query/tags');
      return xmlResponse(
        await sitemapXml([
          { url: sitePaths.home, changefreq: EnumChangefreq.HOURLY },
          ...tags.map(({ tag }) => ({ url: sitePaths.tag(tag), changefreq: EnumChangefreq.DAILY })),
        ]),
      );
    }
    const page = postsSitemapPage(file);
    if (page === undefined) return errorResponse(404, 'No such sitemap');
    const { posts, totalPages } = await serverGet<PostPage>(
      'query',
      `/api/query/posts?page=${page}&limit=${postsPerSitemap}`,
    );
    if (page > Math.max(1, totalPages)) return errorResponse(404, 'No such sitemap');
    const authors = [...new Set(posts.map((p) => p.author.username))];
    return xmlResponse(
      await sitemapXml([
        ...posts.map((p) => ({ url: sitePaths.post(p.slug), lastmod: p.updatedAt })),
        ...authors.map((username) => ({ url: sitePaths.author(username) })),
      ]),
    );
  });
}
