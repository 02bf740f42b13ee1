import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { cachedPageOf, inlineScriptHashes, isIncomplete, sendCachedPage } from './cached-page';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const inline1 = '(self.__next_f=self.__next_f||[]).push([0])';
const inline2 = 'self.__next_f.push([1,"a \\u003cb\\u003e & é"])';
const html = `<!DOCTYPE html><html><head><script src="/_next/static/chunks/main.js" async=""></script></head><body>
<p>Text with &lt;script&gt; in it</p>
<script type="application/ld+json">{"@type":"BlogPosting"}</script>
<script>${inline1}</script><script>${inline2}</script><script type="module">${inline1}</script>
</body></html>`;

test("a cached page's policy allows exactly its own inline scripts, by hash, and Next.js' chunks from this origin", () => {
  expect(inlineScriptHashes(html).sort()).toEqual([sha256(inline1), sha256(inline2)].sort());
  const policy = String(cachedPageOf(html, 'text/html; charset=utf-8').headers['Content-Security-Policy']);
  const scriptSrc = policy.split('; ').find((d) => d.startsWith('script-src '))!;
  expect(scriptSrc.split(' ').sort()).toEqual(['script-src', "'self'", sha256(inline1), sha256(inline2)].sort());
  expect(policy).not.toMatch(/script-src[^;]*(unsafe-inline|nonce-)/);
  expect(policy).toContain("frame-ancestors 'none'");
});

test('a page showing a failed read is recognised by its mark, not by its text', () => {
  expect(isIncomplete('<html><body><div class="error-state" data-page-incomplete="">x</div></body></html>')).toBe(true);
  expect(isIncomplete('<html><body><p>data-page-incomplete is just words here</p></body></html>')).toBe(false);
});

describe('sending a cached page', () => {
  let server: Server;
  let origin: string;
  const page = cachedPageOf(html, 'text/html; charset=utf-8');

  beforeAll(async () => {
    server = createServer((req, res) => sendCachedPage(req, res, page));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // As a browser revalidates (fetch would add `Cache-Control: no-cache` to a conditional request, which asks past caches).
  const revalidating = { 'Accept-Encoding': 'identity', 'Cache-Control': 'max-age=0' };

  test('with its ETag, and a 304 when the browser names it', async () => {
    const res = await fetch(origin, { headers: { 'Accept-Encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(html);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const again = await fetch(origin, { headers: { ...revalidating, 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    const other = await fetch(origin, { headers: { ...revalidating, 'If-None-Match': '"other"' } });
    expect(other.status).toBe(200);
  });

  test('gzipped, with a validator of its own, to a browser that accepts it', async () => {
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve) => {
      request(origin, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).end();
    });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(answer.body).toString()).toBe(html);
    expect(answer.headers.etag).not.toBe(page.etag);
  });
});

test('a page that shows nothing is kept and sent with its 404, never a 304', async () => {
  const missing = cachedPageOf(html, 'text/html; charset=utf-8', 404);
  const server = createServer((req, res) => sendCachedPage(req, res, missing));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(origin, { headers: { 'Accept-Encoding': 'identity', 'If-None-Match': missing.etag } });
    expect([res.status, await res.text()]).toEqual([404, html]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
