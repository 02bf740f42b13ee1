import type { CachedPage } from './cached-page';

export interface PageCacheOptions {
  maxEntries: number;
  /** Sum of the pages' sizes (bytes) kept at most; the least recently used go first. */
  maxBytes: number;
}

interface Fill {
  /** The generation the render started in: it may be kept only if no change came since. */
  generation: number;
  page: Promise<CachedPage | undefined>;
}

/**
 * Rendered pages kept in memory by URL, until a change. Every change of the read model (a change
 * notice of the query service, see change-notices.ts) drops them all: a page shows lists, counts
 * and comments that almost every change touches, and a page is rendered again once, by the first
 * reader who asks for it after the change.
 *
 * Concurrent requests for a page share one render. A render that began before a change may have
 * read the state before it: it is served to the requests that were already waiting (they arrived
 * before the change), but not kept, and a request that arrives after the change waits for a new
 * render. While changes may be missed (no connection to NATS), nothing is kept.
 */
export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private readonly filling = new Map<string, Fill>();
  private bytes = 0;
  private generation = 0;
  private live = false;
  readonly stats = { hits: 0, renders: 0, drops: 0 };

  constructor(private readonly options: PageCacheOptions) {}

  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }

  /**
   * The cached page, or the one `render` makes (kept unless a change overtook it, or the cache is
   * not live); undefined: `render` found nothing to cache (an error, a redirect, a failed read).
   */
  get(url: string, render: () => Promise<CachedPage | undefined>): Promise<CachedPage | undefined> {
    const hit = this.pages.get(url);
    if (hit) {
      // Least recently used first in the map's order, so eviction takes the first.
      this.pages.delete(url);
      this.pages.set(url, hit);
      this.stats.hits++;
      return Promise.resolve(hit);
    }
    const pending = this.filling.get(url);
    if (pending && pending.generation === this.generation) return pending.page;
    const fill: Fill = { generation: this.generation, page: this.fill(url, render) };
    this.filling.set(url, fill);
    const done = () => {
      if (this.filling.get(url) === fill) this.filling.delete(url);
    };
    // A failed render is the callers' to handle (they get the rejection); here it only ends the fill.
    fill.page.then(done, done);
    return fill.page;
  }

  /** A change: every page may show it. */
  drop(): void {
    this.generation++;
    this.stats.drops++;
    this.pages.clear();
    this.bytes = 0;
  }

  /** Whether changes arrive: while they may be missed, the cache is empty and keeps nothing. */
  setLive(live: boolean): void {
    this.live = live;
    this.drop();
  }

  private async fill(url: string, render: () => Promise<CachedPage | undefined>): Promise<CachedPage | undefined> {
    const started = this.generation;
    this.stats.renders++;
    const page = await render();
    if (page && this.live && this.generation === started) this.store(url, page);
    return page;
  }

  private store(url: string, page: CachedPage): void {
    this.bytes -= this.pages.get(url)?.size ?? 0;
    this.pages.set(url, page);
    this.bytes += page.size;
    while (this.pages.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const [oldest, evicted] = this.pages.entries().next().value as [string, CachedPage];
      this.pages.delete(oldest);
      this.bytes -= evicted.size;
    }
  }
}
