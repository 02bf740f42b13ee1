import MiniSearch from 'minisearch';
import type { Collection } from 'mongodb';
import { withinTime } from '@postline/common';
import type { SearchPage } from '@postline/common/api';
import type { Logger } from 'pino';
import { changeLabel } from '../domain/change-labels';
import { rankMatches, searchDocOf, searchOptions, searchResultOf, type SearchDoc } from '../domain/search';
import type { StoredPost } from './read-models';

const projection = {
  slug: 1,
  title: 1,
  body: 1,
  tags: 1,
  authorUsername: 1,
  publishedAt: 1,
  published: 1,
  deleted: 1,
} as const;
type Indexed = Pick<StoredPost, '_id' | keyof typeof projection>;

const postTextLabel = changeLabel.postText('');
/** A read-back slower than this is given up (logged), so one stuck read cannot hold back every later change. */
const readBackMs = 5_000;

function newIndex(): MiniSearch<SearchDoc> {
  return new MiniSearch<SearchDoc>(searchOptions);
}

/**
 * Full-text search over the published posts, in memory on each query replica
 * (MiniSearch). Built at start from the posts read model, then kept in step by
 * the change notices every replica receives (change-notices.ts): a notice
 * naming a post's text (`changeLabel.postText`) makes each replica read that post back from the shared read
 * model and index it as it is now (or drop it: a draft, deleted, gone). Reads
 * run one at a time in the order the notices arrived, so the newest state is
 * the one kept. The index is a function of the set of posts alone (a post is
 * removed with the very document it was added with), so replicas with the
 * same posts rank alike; ties go to the newest, then the id.
 */
export class SearchIndex {
  private index = newIndex();
  private readonly docs = new Map<string, SearchDoc>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly posts: Collection<StoredPost>,
    private readonly logger: Logger,
  ) {}

  /** Fills the index from the read model (at start, and after notices may have been missed). */
  load(): Promise<void> {
    return this.enqueue(async () => {
      const found = (await this.posts
        .find({ published: { $ne: false }, deleted: { $ne: true } }, { projection })
        .toArray()) as Indexed[];
      this.index = newIndex();
      this.docs.clear();
      for (const post of found) this.put(post);
    });
  }

  /** How many posts are searchable. */
  get size(): number {
    return this.docs.size;
  }

  /** Resolves once every read-back queued so far is applied (for the tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  // NoticeTarget: the labels of a change; a post's text label means what is indexed of it may have changed.
  drop(labels: readonly string[]): void {
    for (const label of labels)
      if (label.startsWith(postTextLabel)) {
        const id = label.slice(postTextLabel.length);
        void this.enqueue(async () => {
          const post = await withinTime(
            this.posts.findOne({ _id: id }, { projection, maxTimeMS: readBackMs }),
            readBackMs,
            `search read-back of post ${id}`,
          );
          this.put(post ?? { _id: id });
        });
      }
  }

  /** Notices may have been missed: once they arrive again (`live`), everything is read anew. */
  clear(live?: boolean): void {
    if (live) void this.load();
  }

  search(q: string, page: number, limit: number): SearchPage {
    const docOf = (id: string) => this.docs.get(id)!;
    const matches = rankMatches(this.index.search(q), docOf);
    const results = matches
      .slice((page - 1) * limit, page * limit)
      .map((m) => searchResultOf(docOf(m.id as string), m));
    return { q, total: matches.length, page, limit, results };
  }

  /** Indexes the post as it is now: searchable only while published and not deleted. */
  private put(post: Partial<Indexed> & { _id: string }): void {
    const before = this.docs.get(post._id);
    if (before) {
      this.index.remove(before);
      this.docs.delete(post._id);
    }
    // A post read back as gone (only its id), a draft or a tombstone is not searchable.
    const doc = searchDocOf(post);
    if (!doc) return;
    this.index.add(doc);
    this.docs.set(doc.id, doc);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work).catch((err: unknown) => {
      // A failed read leaves that post as it was; the next change to it, or a reconnect, reads it again.
      this.logger.warn({ err }, 'search index: could not read a post back');
    });
    this.queue = run;
    return run;
  }
}
