import type { EventBus, EventData } from '@postline/common';
import { EventFactory, eventually, uniqueNamespace } from '@postline/common/testing';
import type { SearchPage } from '@postline/common/api';
import { connectBus, startQuery, type QueryUnderTest } from '../../testing/start-query';

/**
 * Search on two query replicas sharing one database and one namespace: each
 * event is applied by one of them, and both must answer every search the same
 * once the change notice arrived: published posts only, ranked, the matched
 * words marked, drafts never, an unpublished post gone, an edit re-indexed.
 */
const namespace = uniqueNamespace();
const database = `${namespace}-query-search`;
let replicas: QueryUnderTest[];
let bus: EventBus;
let events: EventFactory;
const author = { id: 'srchauthor00000000000001', username: 'search_author' };
const published = (at: string) => ({ status: 'published' as const, publishedAt: at });

const search = (replica: QueryUnderTest, query: string) => replica.http.get(`/api/query/search?${query}`);
const ids = (answer: SearchPage) => answer.results.map((r) => r.id);
const marked = (parts: { text: string; mark?: true }[]) => parts.filter((p) => p.mark).map((p) => p.text);

/** The answers of every replica to `q`, once they all satisfy `check`; asserts they are the same. */
async function bothAnswer(query: string, check: (answer: SearchPage) => boolean): Promise<SearchPage> {
  let answers: SearchPage[] = [];
  await eventually(async () => {
    answers = await Promise.all(replicas.map(async (r) => (await search(r, query).expect(200)).body as SearchPage));
    // A failing answer is shown whole.
    expect(answers.map((a) => check(a) || a)).toEqual(replicas.map(() => true));
    return true;
  });
  expect(answers[1]).toEqual(answers[0]);
  return answers[0]!;
}

beforeAll(async () => {
  replicas = [await startQuery({ namespace, database }), await startQuery({ namespace, database })];
  bus = await connectBus(namespace);
  events = new EventFactory(bus);
});

afterAll(async () => {
  await bus.close();
  await Promise.all(replicas.map((r) => r.stop()));
});

describe('GET /api/query/search', () => {
  let story: EventData<'post.created'>;
  let mention: EventData<'post.created'>;
  let draft: EventData<'post.created'>;

  it('finds published posts by title, body and tag, ranked, with the matched words marked, never a draft', async () => {
    await events.publish(events.userCreated(author));
    const at = events.tick();
    const a = events.postCreated(author, {
      title: 'Zeppelins over the harbour',
      body: 'A **long** afternoon watching the zeppelin drift.',
      tags: ['airships'],
      ...published(at),
    });
    const b = events.postCreated(author, {
      title: 'Notes from the market',
      body: `${'Fish and bread. '.repeat(30)}Someone mentioned a zeppelin, once.`,
      tags: ['market'],
      ...published(at),
    });
    const c = events.postCreated(author, {
      title: 'Zeppelin secrets (draft)',
      body: 'Not for anyone yet.',
      tags: ['airships'],
      status: 'draft',
      publishedAt: null,
    });
    [story, mention, draft] = [a.data, b.data, c.data];
    await events.publish(a, b, c);

    const answer = await bothAnswer('q=zeppelin', (r) => r.total === 2);
    // The title match ranks first; the draft is never found.
    expect(ids(answer)).toEqual([story.id, mention.id]);
    expect(answer.results[0]!.score).toBeGreaterThan(answer.results[1]!.score);
    expect(marked(answer.results[0]!.titleParts)).toEqual(['Zeppelins']);
    expect(marked(answer.results[0]!.snippetParts)).toEqual(['zeppelin']);
    // Markdown removed; the parts put back together are the text.
    expect(answer.results[0]!.snippetParts.map((p) => p.text).join('')).toBe(
      'A long afternoon watching the zeppelin drift.',
    );
    // The body's match is cut around the word, far from its start.
    expect(marked(answer.results[1]!.snippetParts)).toEqual(['zeppelin']);
    expect(answer.results[1]!.snippetParts[0]!.text.startsWith('…')).toBe(true);

    const byTag = await bothAnswer('q=airships', (r) => r.total === 1);
    expect(ids(byTag)).toEqual([story.id]);
    expect((await bothAnswer('q=secrets', () => true)).total).toBe(0);

    const paged = await bothAnswer('q=zeppelin&limit=1&page=2', (r) => r.total === 2);
    expect(ids(paged)).toEqual([mention.id]);
  });

  it('re-indexes an edit on every replica', async () => {
    await events.publish(events.postUpdated(story, { title: 'Balloons over the harbour', body: 'Quiet skies.' }));
    const answer = await bothAnswer('q=balloons', (r) => r.total === 1);
    expect(ids(answer)).toEqual([story.id]);
    expect(marked(answer.results[0]!.titleParts)).toEqual(['Balloons']);
    // The old words are gone from it: only the other post still mentions a zeppelin.
    expect(ids(await bothAnswer('q=zeppelin', (r) => r.total === 1))).toEqual([mention.id]);
  });

  it('drops a post unpublished or deleted, and finds a draft once published', async () => {
    await events.publish(events.postUpdated(mention, { status: 'draft', publishedAt: null }));
    await bothAnswer('q=zeppelin', (r) => r.total === 0);

    await events.publish(events.postUpdated(draft, published(events.tick())));
    expect(ids(await bothAnswer('q=secrets', (r) => r.total === 1))).toEqual([draft.id]);

    await events.publish(events.postDeleted(story));
    await bothAnswer('q=balloons', (r) => r.total === 0);
  });

  it('a replica started now builds the same index from the read model', async () => {
    const late = await startQuery({ namespace, database });
    try {
      const [before, after] = await Promise.all([
        search(replicas[0]!, 'q=secrets').expect(200),
        search(late, 'q=secrets').expect(200),
      ]);
      expect(after.body).toEqual(before.body);
      expect(late.parts.search.size).toBe(replicas[0]!.parts.search.size);
    } finally {
      await late.stop();
    }
  });

  it('answers 400 to a missing, empty, too long or repeated q and a limit over 20', async () => {
    for (const query of ['', 'q=', 'q=%20%20', `q=${'a'.repeat(101)}`, 'q=a&q=b', 'q=a&limit=21', 'q=a&page=0']) {
      const res = await search(replicas[0]!, query).expect(400);
      expect(res.body.errors[0].message).toEqual(expect.any(String));
    }
    await search(replicas[0]!, `q=${'a'.repeat(100)}`).expect(200);
  });

  it('bounds what a search may cost: at most 6 words (400 past it), a prefix of 3 letters or more', async () => {
    const seven = await search(replicas[0]!, 'q=one%20two%20three%20four%20five%20six%20seven').expect(400);
    expect(seven.body).toEqual({ errors: [{ message: 'q must have at most 6 words', field: 'q' }] });
    // Words as the index reads them: punctuation separates them too.
    await search(replicas[0]!, 'q=one,two,three,four,five,six,seven').expect(400);
    await search(replicas[0]!, 'q=one%20two%20three%20four%20five%20six').expect(200);
    // A last word of two letters is a word, not the start of every word it begins.
    expect((await search(replicas[0]!, 'q=ze').expect(200)).body.total).toBe(0);
    expect((await search(replicas[0]!, 'q=zep').expect(200)).body.total).toBe(1);
  });
});
