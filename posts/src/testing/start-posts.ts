import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import supertest from 'supertest';
import { postsConfigSchema } from '../config';
import { authorModel } from '../data-access/author-model';
import { postModel } from '../data-access/post-model';
import { postsService } from '../service';

export interface PostsUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  posts: ReturnType<typeof postModel>;
  authors: ReturnType<typeof authorModel>;
}

export interface StartPostsOptions {
  /** Reuse a namespace (and so the database and streams) of an earlier instance: a restart. */
  namespace?: string;
  overrides?: Record<string, string>;
}

/** The posts service in-process against the test servers (or the ones `overrides` name), recording post.* events. */
export async function startPosts(options: StartPostsOptions = {}): Promise<PostsUnderTest> {
  const posts = await startServiceUnderTest({
    name: 'posts',
    loadConfig: postsConfigSchema.load,
    define: postsService,
    record: ['post'],
    namespace: options.namespace,
    // No write limit in the way of the suites; it is tested on its own.
    env: { WRITE_RATE_LIMIT_MAX: '100000', ...options.overrides },
  });
  const { db } = posts.service.context;
  return { ...posts, http: supertest(posts.baseUrl), posts: postModel(db), authors: authorModel(db) };
}
