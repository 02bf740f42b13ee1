import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import supertest from 'supertest';
import { commentsConfigSchema } from '../config';
import { commentModel } from '../data-access/comment-model';
import { postReplicaModel } from '../data-access/post-replica-model';
import { commentsService } from '../service';

export interface CommentsUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  comments: ReturnType<typeof commentModel>;
  posts: ReturnType<typeof postReplicaModel>;
}

/**
 * The comments service in-process against the test servers, in a namespace of its
 * own (or a given one, to run beside other services).
 */
export async function startComments(
  namespace?: string,
  overrides: Record<string, string> = {},
  natsObserver?: { user: string; password: string },
): Promise<CommentsUnderTest> {
  const started = await startServiceUnderTest({
    name: 'comments',
    loadConfig: commentsConfigSchema.load,
    define: commentsService,
    record: ['post', 'comment'],
    namespace,
    // No write limit in the way of the suites; it is tested on its own.
    env: { WRITE_RATE_LIMIT_MAX: '100000', ...overrides },
    natsObserver,
  });
  const { db } = started.service.context;
  return { ...started, http: supertest(started.baseUrl), comments: commentModel(db), posts: postReplicaModel(db) };
}
