import { AnswerCache } from './answer-cache';

interface Value {
  name: string;
  labels: string[];
  size: number;
}

const value = (name: string, labels: string[], size = 10): Value => ({ name, labels, size });
const cache = (limits: Partial<{ maxEntries: number; maxBytes: number; maxAgeMs: number }> = {}) =>
  new AnswerCache<Value>({ maxEntries: 100, maxBytes: 1_000, maxAgeMs: 60_000, ...limits });

/** A build that finishes when told to. */
function pending(result: Value) {
  let finish = () => {};
  const done = new Promise<Value>((resolve) => (finish = () => resolve(result)));
  return { build: () => done, finish: () => finish() };
}

describe('AnswerCache', () => {
  it('keeps what it built and drops exactly the entries carrying a dropped label', async () => {
    const c = cache();
    await c.getOrFill('a', async () => value('a', ['post:1', 'list:all']));
    await c.getOrFill('b', async () => value('b', ['post:2', 'list:all']));
    await c.getOrFill('c', async () => value('c', ['post:3']));
    c.drop(['post:1']);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')?.name).toBe('b');
    c.drop(['list:all', 'unknown']);
    expect([c.get('b'), c.get('c')?.name]).toEqual([undefined, 'c']);
  });

  it('builds once for concurrent requests of one key, and keeps nothing when there is nothing to answer', async () => {
    const c = cache();
    let builds = 0;
    const build = async () => {
      builds++;
      return value('x', []);
    };
    await Promise.all([c.getOrFill('x', build), c.getOrFill('x', build), c.getOrFill('x', build)]);
    expect(builds).toBe(1);
    expect(await c.getOrFill('missing', async () => undefined)).toBeUndefined();
    expect(c.size.entries).toBe(1);
  });

  it('builds again rather than keep an answer a change overtook while it was being built', async () => {
    const c = cache();
    const stale = pending(value('stale', ['post:1']));
    let second = false;
    const answer = c.getOrFill('p', () => (second ? Promise.resolve(value('fresh', ['post:1'])) : stale.build()));
    second = true;
    c.drop(['post:1']); // the change arrives while the first build reads the old state
    stale.finish();
    expect((await answer)!.name).toBe('fresh');
    expect(c.get('p')?.name).toBe('fresh');
    expect(c.stats.refills).toBe(1);
  });

  it('keeps an answer whose labels no change touched meanwhile', async () => {
    const c = cache();
    const slow = pending(value('kept', ['post:1']));
    const answer = c.getOrFill('p', slow.build);
    c.drop(['post:2']);
    slow.finish();
    expect((await answer)!.name).toBe('kept');
    expect(c.get('p')?.name).toBe('kept');
  });

  it('evicts the least recently used beyond its limits, and keeps nothing while not live', async () => {
    const c = cache({ maxBytes: 30 });
    for (const key of ['a', 'b', 'c']) await c.getOrFill(key, async () => value(key, []));
    c.get('a');
    await c.getOrFill('d', async () => value('d', []));
    expect(['a', 'b', 'c', 'd'].map((k) => c.get(k)?.name)).toEqual(['a', undefined, 'c', 'd']);
    c.clear(false);
    await c.getOrFill('e', async () => value('e', []));
    expect(c.size.entries).toBe(0);
    c.clear(true);
    await c.getOrFill('e', async () => value('e', []));
    expect(c.get('e')?.name).toBe('e');
  });

  it('treats an entry older than its maximum age as missing', async () => {
    const c = cache({ maxAgeMs: 0 });
    await c.getOrFill('a', async () => value('a', []));
    await new Promise((r) => setTimeout(r, 2));
    expect(c.get('a')).toBeUndefined();
  });
});
