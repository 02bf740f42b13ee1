import { cachedPageOf, type CachedPage } from './cached-page';
import { PageCache } from './page-cache';

const page = (text: string): CachedPage =>
  cachedPageOf(`<!DOCTYPE html><html><body>${text}</body></html>`, 'text/html');

/** A render that finishes when the test says so, counting how often it ran. */
function controlledRender() {
  let count = 0;
  const pending: ((p: CachedPage | undefined) => void)[] = [];
  return {
    get count() {
      return count;
    },
    render: () => {
      count++;
      return new Promise<CachedPage | undefined>((resolve) => pending.push(resolve));
    },
    finish: (p: CachedPage | undefined) => pending.shift()!(p),
  };
}

function liveCache(options = { maxEntries: 100, maxBytes: 10_000_000 }): PageCache {
  const cache = new PageCache(options);
  cache.setLive(true);
  return cache;
}

test('a page is rendered once and then served from the cache', async () => {
  const cache = liveCache();
  const render = jest.fn(async () => page('one'));
  const first = await cache.get('/', render);
  const second = await cache.get('/', render);
  expect(render).toHaveBeenCalledTimes(1);
  expect(second).toBe(first);
  expect(second?.body.toString()).toContain('one');
});

test('concurrent requests for a page share one render', async () => {
  const cache = liveCache();
  const r = controlledRender();
  const answers = [cache.get('/posts/a', r.render), cache.get('/posts/a', r.render), cache.get('/posts/a', r.render)];
  r.finish(page('shared'));
  const pages = await Promise.all(answers);
  expect(r.count).toBe(1);
  expect(new Set(pages).size).toBe(1);
});

test('a change drops every page: the next request renders again', async () => {
  const cache = liveCache();
  await cache.get('/', async () => page('before'));
  await cache.get('/posts/a', async () => page('post before'));
  cache.drop();
  expect(cache.size.pages).toBe(0);
  const after = await cache.get('/', async () => page('after'));
  expect(after?.body.toString()).toContain('after');
});

test('a render overtaken by a change is served to those who waited, but not kept; later requests render anew', async () => {
  const cache = liveCache();
  const r = controlledRender();
  const before = cache.get('/', r.render);
  cache.drop(); // the change lands while the render reads
  const after = cache.get('/', r.render); // arrived after the change: must not share the older render
  expect(r.count).toBe(2);
  r.finish(page('old'));
  r.finish(page('new'));
  expect((await before)?.body.toString()).toContain('old');
  expect((await after)?.body.toString()).toContain('new');
  const render = jest.fn(async () => page('unexpected'));
  expect((await cache.get('/', render))?.body.toString()).toContain('new');
  expect(render).not.toHaveBeenCalled();
});

test('nothing is kept while changes may be missed, nor what a render could not cache', async () => {
  const cache = new PageCache({ maxEntries: 100, maxBytes: 10_000_000 });
  const render = jest.fn(async () => page('not live'));
  await cache.get('/', render);
  await cache.get('/', render);
  expect(render).toHaveBeenCalledTimes(2);

  cache.setLive(true);
  const nothing = jest.fn(async () => undefined);
  expect(await cache.get('/', nothing)).toBeUndefined();
  expect(await cache.get('/', nothing)).toBeUndefined();
  expect(nothing).toHaveBeenCalledTimes(2);

  await cache.get('/', render);
  cache.setLive(false);
  expect(cache.size.pages).toBe(0);
});

test('the least recently used pages go first beyond the bounds', async () => {
  const cache = liveCache({ maxEntries: 2, maxBytes: 10_000_000 });
  await cache.get('/a', async () => page('a'));
  await cache.get('/b', async () => page('b'));
  await cache.get('/a', async () => page('a again')); // a hit: /a is now the most recent
  await cache.get('/c', async () => page('c'));
  expect(cache.size.pages).toBe(2);
  const b = jest.fn(async () => page('b again'));
  await cache.get('/b', b);
  expect(b).toHaveBeenCalledTimes(1);

  const small = liveCache({ maxEntries: 100, maxBytes: page('x').size * 2 });
  for (const key of ['/x', '/y', '/z']) await small.get(key, async () => page('x'));
  expect(small.size.pages).toBe(2);
  expect(small.size.bytes).toBeLessThanOrEqual(page('x').size * 2);
});

test('a failed render fails the requests that waited for it, and the next request renders again', async () => {
  const cache = liveCache();
  const failing = jest.fn(async (): Promise<CachedPage | undefined> => {
    throw new Error('the render failed');
  });
  await expect(Promise.all([cache.get('/', failing), cache.get('/', failing)])).rejects.toThrow('the render failed');
  expect(failing).toHaveBeenCalledTimes(1);
  expect((await cache.get('/', async () => page('again')))?.body.toString()).toContain('again');
});
