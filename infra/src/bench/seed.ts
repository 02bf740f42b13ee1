import { BenchUser, inParallel, waitFor } from './bench-user';

export const BLOCKED_WORD = 'orange'; // in moderation/rules.json: a comment containing it is rejected by the rules

export interface Seeded {
  users: BenchUser[];
  /** Signed in as a moderator (MODERATOR_EMAILS): sees every comment with its status. */
  moderator: BenchUser;
  /** Ids of the seeded posts, newest last. */
  postIds: string[];
  /** The post whose page carries exactly 50 approved comments (plus rejected ones hidden from readers). */
  pagePostId: string;
  pageApprovedComments: number;
  pageRejectedComments: number;
  /** Posts reserved for the latency phases (their comment lists stay short). */
  latencyPostIds: string[];
  counts: { users: number; posts: number; comments: number; rejectedComments: number };
}

const TAGS = ['travel', 'food', 'code', 'music', 'books', 'science', 'design', 'sport'];
const PAGE_APPROVED = 50;
const PAGE_REJECTED = 5;

export function commentBody(i: number, rejected: boolean): string {
  return rejected
    ? `Comment ${i}: the ${BLOCKED_WORD} was a lie`
    : `Comment ${i}: thoughtful and kind words about this post`;
}

/** Posts a comment, retrying while the comments service has not yet received the post (404). */
export async function postComment(user: BenchUser, url: string, postId: string, body: string): Promise<{ id: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await user.request<{ id: string }>(url, 'POST', '/api/comments', { postId, body });
    if (res.status === 201) return res.body;
    if (res.status !== 404 || Date.now() > deadline) {
      throw new Error(`POST /api/comments answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The data the reads run against, created through the gateway like real
 * users would: users, posts with tags, comments (every fifth one contains a
 * blocked word and is rejected by moderation), and a post with exactly 50
 * approved comments. Resolves once the query service shows all of it.
 */
export async function seed(
  url: string,
  query: string,
  jwtKey: string,
  size: { users: number; posts: number },
): Promise<Seeded> {
  const moderator = await BenchUser.signUp(url, 'benchmod', jwtKey, 'moderator');
  const users: BenchUser[] = [];
  for (let i = 0; i < size.users; i++) users.push(await BenchUser.signUp(url, `bench_user_${i}`, jwtKey));

  const postIds = await inParallel(
    Array.from({ length: size.posts }, (_, i) => i),
    8,
    async (i) => {
      const author = users[i % users.length]!;
      const post = await author.expect<{ id: string }>(201, url, 'POST', '/api/posts', {
        title: `Seeded post number ${i}`,
        body: `# Post ${i}\n\nSome *Markdown* text for post ${i}, long enough to make an excerpt. `.repeat(4),
        tags: [TAGS[i % TAGS.length]!, TAGS[(i * 3 + 1) % TAGS.length]!],
      });
      return post.id;
    },
  );
  const reserved = async (title: string) =>
    (
      await users[0]!.expect<{ id: string }>(201, url, 'POST', '/api/posts', {
        title,
        body: 'For the benchmark.',
        tags: ['bench'],
      })
    ).id;
  const pagePostId = await reserved('The page with fifty comments');
  const latencyPostIds: string[] = [];
  for (let i = 0; i < 20; i++) latencyPostIds.push(await reserved(`Latency post ${i}`));

  // Comments: a few on the first posts (one in five rejected), and the 50-comment page.
  const jobs: { postId: string; rejected: boolean }[] = [];
  for (const postId of postIds.slice(0, Math.min(postIds.length, 20))) {
    for (let c = 0; c < 5; c++) jobs.push({ postId, rejected: c === 4 });
  }
  for (let c = 0; c < PAGE_APPROVED + PAGE_REJECTED; c++)
    jobs.push({ postId: pagePostId, rejected: c >= PAGE_APPROVED });
  await inParallel(jobs, 8, (job, i) =>
    postComment(users[i % users.length]!, url, job.postId, commentBody(i, job.rejected)),
  );

  const expectedPosts = postIds.length + 1 + latencyPostIds.length;
  await waitFor('the seeded posts in query', 120_000, async () => {
    const res = await users[0]!.request<{ total: number }>(query, 'GET', '/api/query/posts?limit=1');
    return res.status === 200 && res.body.total >= expectedPosts;
  });
  await waitFor('the seeded comments decided in query', 120_000, async () => {
    const res = await moderator.request<{ post: { comments: { status: string }[] } }>(
      query,
      'GET',
      `/api/query/posts/${pagePostId}`,
    );
    const comments = res.body?.post?.comments ?? [];
    return (
      comments.filter((c) => c.status === 'approved').length === PAGE_APPROVED &&
      comments.filter((c) => c.status === 'rejected').length === PAGE_REJECTED
    );
  });
  await waitFor('latency posts known to comments', 60_000, async () => {
    const res = await users[0]!.request(query, 'GET', `/api/query/posts/${latencyPostIds.at(-1)}`);
    return res.status === 200;
  });

  return {
    users,
    moderator,
    postIds,
    pagePostId,
    pageApprovedComments: PAGE_APPROVED,
    pageRejectedComments: PAGE_REJECTED,
    latencyPostIds,
    counts: {
      users: users.length + 1,
      posts: expectedPosts,
      comments: jobs.length,
      rejectedComments: jobs.filter((j) => j.rejected).length,
    },
  };
}
