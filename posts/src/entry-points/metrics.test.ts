import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearerFor, EventFactory, eventually, testUser } from '@postline/common/testing';
import { startPosts, type PostsUnderTest } from '../testing/start-posts';

// The metrics every service serves (common's ServiceMetrics), seen through one real service.

let posts: PostsUnderTest;

beforeAll(async () => {
  // No retry sweep during the test: a document written straight into the collection stays pending.
  // STREAM_MAX_BYTES: posts owns POSTS and gives it the limit, so its fill ratio has a sample.
  posts = await startPosts({ overrides: { OUTBOX_SWEEP_MS: '60000', STREAM_MAX_BYTES: String(64 * 1024 * 1024) } });
});

afterAll(async () => {
  await posts.stop();
});

const newUserId = () => randomUUID().replace(/-/g, '').slice(0, 24);

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${posts.service.metricsPort}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample, or undefined when the scrape has no such series. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

const requests = (text: string, method: string, route: string, status: string) =>
  sample(text, 'postline_http_request_duration_seconds_count', { method, route, status }) ?? 0;

describe('GET /metrics on METRICS_PORT', () => {
  it('counts HTTP requests by route pattern and status, never by raw path', async () => {
    const before = await scrape();
    const author = testUser({ username: 'metered' });
    const created = await posts.http
      .post('/api/posts')
      .set('Authorization', bearerFor(author))
      .send({ title: 'Measured', body: 'text', tags: [] })
      .expect(201);
    await posts.http.get(`/api/posts/${created.body.id}`).expect(200);
    await posts.http.post('/api/posts').set('Authorization', bearerFor(author)).send({}).expect(400);
    await posts.http.get('/api/posts-nowhere/at/all').expect(404);

    const after = await scrape();
    const moved = (method: string, route: string, status: string) =>
      requests(after, method, route, status) - requests(before, method, route, status);
    expect(moved('POST', '/api/posts', '201')).toBe(1);
    expect(moved('GET', '/api/posts/:id', '200')).toBe(1);
    // Refused by validation, answered by the error handler outside the router: still the route's pattern.
    expect(moved('POST', '/api/posts', '400')).toBe(1);
    expect(moved('GET', 'unmatched', '404')).toBe(1);
    expect(after).not.toContain(created.body.id);
    expect(after).toMatch(/^postline_http_request_duration_seconds_bucket\{le="0\.005",method="POST"/m);
    // Labels the scrape adds are not the service's to set.
    expect(after).not.toMatch(/[{,](app|namespace|pod|container|instance|job)="/);
  });

  it('times handled events, counts failed handlings and dead letters by subject', async () => {
    const handled = (text: string, subject: string) =>
      sample(text, 'postline_event_handling_duration_seconds_count', { subject }) ?? 0;
    const failures = (text: string, subject: string) =>
      sample(text, 'postline_event_handling_failures_total', { subject }) ?? 0;
    const deadLetters = (text: string, subject: string) =>
      sample(text, 'postline_dead_letters_total', { subject }) ?? 0;
    const before = await scrape();

    const userId = newUserId();
    const factory = new EventFactory();
    const data = { id: userId, username: 'counted', role: 'user' as const, bio: '', image: '' };
    await posts.bus.publish(factory.userCreated(data));
    // A version gap that never fills: it fails each attempt, then is dead-lettered.
    const orphan = newUserId();
    await posts.bus.publish(factory.at(3).userUpdated({ ...data, id: orphan }));
    // Invalid (no username): dead-lettered at once, without reaching a handler.
    const poisonId = newUserId();
    const poison = factory.userCreated({ ...data, id: poisonId });
    await posts.bus.js.publish(
      posts.bus.names.wire('user.created'),
      JSON.stringify({ ...poison, data: { id: poisonId } }),
    );

    const after = await eventually(
      async () => {
        const text = await scrape();
        return deadLetters(text, 'user.updated') - deadLetters(before, 'user.updated') === 1 && text;
      },
      10_000,
      'the gap dead-lettered',
    );
    expect(handled(after, 'user.created') - handled(before, 'user.created')).toBe(1);
    expect(failures(after, 'user.created') - failures(before, 'user.created')).toBe(0);
    expect(deadLetters(after, 'user.created') - deadLetters(before, 'user.created')).toBe(1);
    // EVENT_MAX_DELIVERIES is 4 in tests: four failed tries, each timed.
    expect(failures(after, 'user.updated') - failures(before, 'user.updated')).toBe(4);
    expect(handled(after, 'user.updated') - handled(before, 'user.updated')).toBe(4);
  });

  it('reports the outbox backlog and its age, and the consumers’ pending messages', async () => {
    const idle = await scrape();
    expect(sample(idle, 'postline_outbox_pending_events')).toBe(0);
    expect(sample(idle, 'postline_outbox_oldest_event_age_seconds')).toBe(0);
    expect(
      sample(idle, 'postline_consumer_pending_messages', {
        stream: posts.bus.names.stream('USERS'),
        consumer: 'posts',
      }),
    ).toBe(0);

    // As a crash between the write and the publish leaves it: two events waiting, the oldest a minute old.
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    const { insertedId } = await posts.posts.collection.insertOne({
      outbox: [
        { id: randomUUID(), version: 0, occurredAt: minuteAgo },
        { id: randomUUID(), version: 1, occurredAt: new Date().toISOString() },
      ],
    });
    try {
      const pending = await scrape();
      expect(sample(pending, 'postline_outbox_pending_events')).toBe(2);
      expect(sample(pending, 'postline_outbox_oldest_event_age_seconds')).toBeGreaterThanOrEqual(60);
    } finally {
      await posts.posts.collection.deleteOne({ _id: insertedId });
    }
  });

  it('serves every metric of the contract (infra/k8s/README.md) with its type and labels', async () => {
    const readme = readFileSync(join(__dirname, '../../../infra/k8s/README.md'), 'utf8');
    const contract = [...readme.matchAll(/^\| `(postline_[a-z_]+)` +\| (\w+) +\| ([^|]*)\|/gm)];
    expect(contract).toHaveLength(8);
    const text = await scrape(); // after the tests above, every metric has samples
    for (const [, name, type, labelCell] of contract) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      const labels = [...labelCell!.matchAll(/`(\w+)`/g)].map(([, label]) => label).sort();
      const series = type === 'histogram' ? `${name}_count` : name;
      const line = text.split('\n').find((l) => l.startsWith(`${series}{`) || l.startsWith(`${series} `));
      const present = [...(line ?? '').matchAll(/(\w+)="/g)].map(([, label]) => label).sort();
      expect({ name, labels: present }).toEqual({ name, labels });
    }
  });
});
