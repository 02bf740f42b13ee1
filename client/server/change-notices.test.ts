import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventually, testUrls, uniqueNamespace } from '@postline/common/testing';
import { cachedPageOf } from './cached-page';
import { followChangeNotices } from './change-notices';
import { PageCache } from './page-cache';

/** Against the run's real nats-server, as the query service publishes notices (core NATS). */

const page = cachedPageOf('<html><body>page</body></html>', 'text/html');
let publisher: NatsConnection;
let follower: NatsConnection;
const namespace = uniqueNamespace('pagecache');
const cache = new PageCache({ maxEntries: 10, maxBytes: 10_000_000 });
const log = jest.fn();

beforeAll(async () => {
  publisher = await connect({ servers: testUrls().natsUrl });
  follower = await followChangeNotices(cache, { url: testUrls().natsUrl, namespace, log });
});
afterAll(async () => {
  await follower.close();
  await publisher.close();
});

async function cached(): Promise<boolean> {
  const render = jest.fn(async () => page);
  await cache.get('/', render);
  return render.mock.calls.length === 0;
}

test('the cache keeps pages once it follows the notices, and drops them on a notice naming a change', async () => {
  await cache.get('/', async () => page);
  expect(await cached()).toBe(true);

  publisher.publish(
    `${namespace}.changes.query.comments`,
    JSON.stringify({ origin: 'q', appliedAt: 1, labels: ['post:p1'] }),
  );
  await eventually(() => cache.size.pages === 0, 5_000, 'the page dropped');
});

test('a notice of what live pages show (no labels), or of another namespace, changes nothing', async () => {
  const settle = () => new Promise((r) => setTimeout(r, 500)); // the previous test's second drop, and this one's
  await settle();
  await cache.get('/', async () => page);
  const drops = cache.stats.drops;
  publisher.publish(
    `${namespace}.changes.query.comments`,
    JSON.stringify({ origin: 'q', appliedAt: 1, labels: [], live: { seq: 1, changes: [] } }),
  );
  publisher.publish(
    `other${namespace}.changes.query.posts`,
    JSON.stringify({ origin: 'q', appliedAt: 1, labels: ['tags'] }),
  );
  // A notice published after those two reaches the follower after them (one publisher, one subscriber).
  publisher.publish(
    `${namespace}.changes.query.posts`,
    JSON.stringify({ origin: 'q', appliedAt: 1, labels: ['tags'] }),
  );
  // Each notice that names a change drops twice (at once and a moment later, see change-notices.ts).
  await eventually(() => cache.stats.drops >= drops + 2, 5_000, 'the last notice applied');
  await settle();
  expect(cache.stats.drops).toBe(drops + 2);
});

test('an unreadable notice drops everything: it may have named anything', async () => {
  await cache.get('/', async () => page);
  publisher.publish(`${namespace}.changes.query.posts`, 'not json');
  await eventually(() => cache.size.pages === 0, 5_000, 'the page dropped');
});
