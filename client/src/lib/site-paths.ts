/**
 * The site's public paths in one place, so pages, cards, feeds and the sitemap link to the same
 * URL for the same thing.
 */
export const sitePaths = {
  home: '/',
  post: (slug: string) => `/posts/${encodeURIComponent(slug)}`,
  tag: (tag: string, page = 1) => `/tags/${encodeURIComponent(tag)}${page > 1 ? `?page=${page}` : ''}`,
  author: (username: string, page = 1) => `/users/${encodeURIComponent(username)}${page > 1 ? `?page=${page}` : ''}`,
  blogFeed: '/feed.xml',
  tagFeed: (tag: string) => `/tags/${encodeURIComponent(tag)}/feed.xml`,
  authorFeed: (username: string) => `/users/${encodeURIComponent(username)}/feed.xml`,
  sitemap: '/sitemap.xml',
  search: (q: string, page = 1) => `/search?${new URLSearchParams({ q, ...(page > 1 ? { page: String(page) } : {}) })}`,
} as const;

export const siteName = 'Postline';
export const siteDescription = 'Postline: write, read and discuss.';
