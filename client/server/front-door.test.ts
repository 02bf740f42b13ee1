import type { IncomingMessage } from 'node:http';
import { isCachedPageRequest } from './front-door';

const request = (method: string, url: string, headers: Record<string, string> = {}) =>
  ({ method, url, headers }) as unknown as IncomingMessage;

test('document loads of the home page, post pages and tag archives come from the cache', () => {
  for (const url of ['/', '/?page=2', '/posts/a-post', '/posts/6b17078f8137f490f885175f', '/tags/web-dev?page=3']) {
    expect({ url, cached: isCachedPageRequest(request('GET', url)) }).toEqual({ url, cached: true });
  }
  expect(isCachedPageRequest(request('HEAD', '/'))).toBe(true);
});

test("other pages, writes, Next.js' own data requests and absolute-form URLs are rendered per request", () => {
  const perRequest: [string, string, Record<string, string>?][] = [
    ['POST', '/'],
    ['GET', '/posts/a-post/edit'],
    ['GET', '/tags/web-dev/feed.xml'],
    ['GET', '/users/alice'],
    ['GET', '/search?q=x'],
    ['GET', '/feed'],
    ['GET', '/drafts'],
    ['GET', '/posts/a-post', { rsc: '1' }],
    ['GET', '/posts/a-post?_rsc=abc'],
    ['GET', '/', { 'next-router-prefetch': '1' }],
    ['GET', '/', { 'next-action': 'x' }],
    ['GET', 'http://elsewhere.example/'],
  ];
  for (const [method, url, headers] of perRequest) {
    expect({ method, url, cached: isCachedPageRequest(request(method, url, headers)) }).toEqual({
      method,
      url,
      cached: false,
    });
  }
});
