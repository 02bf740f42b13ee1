import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routeMatcher } from './server-observability';

// The route label of the client's HTTP metric; the built client is measured in e2e/metrics.test.ts.

let distDir: string;

beforeAll(() => {
  distDir = mkdtempSync(join(tmpdir(), 'postline-routes-'));
  // The shape `next build` writes (.next/routes-manifest.json), abridged.
  writeFileSync(
    join(distDir, 'routes-manifest.json'),
    JSON.stringify({
      staticRoutes: [
        { page: '/', regex: '^/(?:/)?$' },
        { page: '/feed.xml', regex: '^/feed\\.xml(?:/)?$' },
      ],
      dynamicRoutes: [
        { page: '/posts/[slug]', regex: '^/posts/([^/]+?)(?:/)?$' },
        { page: '/posts/[slug]/edit', regex: '^/posts/([^/]+?)/edit(?:/)?$' },
      ],
    }),
  );
});

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

describe('routeMatcher', () => {
  it('names a request by the pattern that served it, never by its path', () => {
    const routeOf = routeMatcher(distDir);
    expect(routeOf('/')).toBe('/');
    expect(routeOf('/feed.xml')).toBe('/feed.xml');
    expect(routeOf('/posts/hello-world')).toBe('/posts/[slug]');
    expect(routeOf('/posts/hello-world/')).toBe('/posts/[slug]');
    expect(routeOf('/posts/hello-world/edit')).toBe('/posts/[slug]/edit');
  });

  it("puts Next.js's assets under one name each, and what no route served under unmatched", () => {
    const routeOf = routeMatcher(distDir);
    expect(routeOf('/_next/static/chunks/app-4f2a.js')).toBe('/_next/static');
    expect(routeOf('/_next/image')).toBe('/_next');
    expect(routeOf('/posts/a/b/c')).toBe('unmatched');
    expect(routeOf('/wp-login.php')).toBe('unmatched');
  });

  it('counts everything as unmatched without a manifest (next dev)', () => {
    expect(routeMatcher(join(distDir, 'nowhere'))('/posts/x')).toBe('unmatched');
  });
});
