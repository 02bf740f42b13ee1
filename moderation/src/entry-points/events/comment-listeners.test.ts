import { randomUUID } from 'node:crypto';
import { EventFactory, eventually, newId } from '@postline/common/testing';
import { startModeration, type ModerationUnderTest } from '../../testing/start-moderation';

const factory = new EventFactory();
const commenter = { id: newId(), username: 'commenter' };
let app: ModerationUnderTest;

beforeAll(async () => {
  // Enough attempts (50 ms doubling: ~1.5 s) for a held-back event to arrive in time.
  app = await startModeration(undefined, { EVENT_MAX_DELIVERIES: '6' });
});

afterAll(async () => {
  await app.stop();
});

const decisionsAbout = (commentId: string) =>
  app.events.of('comment.moderated').filter((e) => e.data.commentId === commentId);
const record = (id: string) => app.records.findById(id).lean();

/** Publishes a clean comment and waits for its decision: the service goes on past what came before it (poison included). */
async function barrier(): Promise<void> {
  const marker = factory.commentCreated(newId(), commenter, { body: 'a marker' });
  await app.bus.publish(marker);
  await app.events.waitFor('comment.moderated', (e) => e.data.commentId === marker.data.id);
}

describe('comment.created', () => {
  it('approves a clean comment: one comment.moderated for comment version 0, record version 0', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'What a lovely post' });
    await app.bus.publish(created);
    const decision = await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    expect(decision).toMatchObject({
      producer: 'moderation',
      aggregateId: created.data.id,
      version: 0,
      data: {
        commentId: created.data.id,
        postId: created.data.postId,
        commentVersion: 0,
        status: 'approved',
        reason: '',
      },
    });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toHaveLength(1);
  });

  it('rejects a comment with a blocked word in any case, naming the rule', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'I do love an Orange, honestly' });
    await app.bus.publish(created);
    const decision = await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    expect(decision.data).toMatchObject({ commentVersion: 0, status: 'rejected', reason: 'blocked word: orange' });
  });

  it('rejects too many links', async () => {
    const created = factory.commentCreated(newId(), commenter, {
      body: 'https://a.example https://b.example https://c.example https://d.example',
    });
    await app.bus.publish(created);
    const decision = await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    expect(decision.data).toMatchObject({ status: 'rejected', reason: 'too many links: 4 (at most 3)' });
  });

  it('queues a borderline comment for a moderator, deciding nothing', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'This looks like a scam to me' });
    await app.bus.publish(created);
    await eventually(async () => (await record(created.data.id))?.awaitingReview === true, 10_000, 'queued');
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toEqual([]);
    expect(await record(created.data.id)).toMatchObject({
      awaitingReview: true,
      review: { commentVersion: 0, body: 'This looks like a scam to me', flags: ['review word: scam'] },
      version: -1,
    });
  });

  it('does not decide twice when comment.created is delivered twice', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'Nice one' });
    await app.bus.publish(created);
    await app.bus.publish({ ...created, id: randomUUID() });
    await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toHaveLength(1);
  });
});

describe('comment.updated', () => {
  it('judges edited text again, not a status announcement, with record versions rising by one', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'Fine words' });
    await app.bus.publish(created);
    await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    // comments applies the approval: version 1, a status announcement
    await app.bus.publish(factory.at(1).commentUpdated(created.data, { status: 'approved' }));
    // the author edits: version 2, pending again, now with the blocked word
    await app.bus.publish(factory.at(2).commentUpdated(created.data, { body: 'orange now', status: 'pending' }));
    await eventually(() => decisionsAbout(created.data.id).length === 2, 10_000, 'second decision');
    await app.untilSettled();
    expect(decisionsAbout(created.data.id).map((e) => [e.version, e.data.commentVersion, e.data.status])).toEqual([
      [0, 0, 'approved'],
      [1, 2, 'rejected'],
    ]);
  });

  it('never judges out of order: a version that skips one waits, then both apply in order', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'Good text' });
    await app.bus.publish(created);
    await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    await app.publishOutOfOrder(
      factory.at(2).commentUpdated(created.data, { body: 'second edit is fine', status: 'pending' }),
    );
    expect(await record(created.data.id)).toMatchObject({ commentVersion: 0 });
    await app.bus.publish(factory.at(1).commentUpdated(created.data, { status: 'approved' }));
    await eventually(() => decisionsAbout(created.data.id).length === 2, 10_000, 'decision about version 2');
    expect(decisionsAbout(created.data.id)[1]?.data).toMatchObject({ commentVersion: 2, status: 'approved' });
    expect(await record(created.data.id)).toMatchObject({ commentVersion: 2, version: 1 });
    expect(await app.deadLetters()).toEqual([]);
  });

  it('replaces the queued version when borderline text is edited, and drops it when the edit is clean', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'a scam?' });
    await app.bus.publish(created);
    await app.bus.publish(
      factory.at(1).commentUpdated(created.data, { body: 'maybe a scam, idiot', status: 'pending' }),
    );
    await eventually(async () => (await record(created.data.id))?.commentVersion === 1, 10_000, 'version 1 seen');
    expect((await record(created.data.id))?.review).toMatchObject({
      commentVersion: 1,
      flags: ['review word: idiot', 'review word: scam'],
    });
    await app.bus.publish(factory.at(2).commentUpdated(created.data, { body: 'all good', status: 'pending' }));
    const decision = await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    expect(decision.data).toMatchObject({ commentVersion: 2, status: 'approved' });
    expect(await record(created.data.id)).toMatchObject({ awaitingReview: false, review: null });
  });
});

describe('comment.deleted', () => {
  it('takes a queued comment out of the queue; a redelivery changes nothing', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'scam scam' });
    await app.bus.publish(created);
    const deleted = factory.at(1).commentDeleted(created.data);
    await app.bus.publish(deleted);
    await eventually(async () => (await record(created.data.id))?.deleted === true, 10_000, 'deleted');
    const before = await record(created.data.id);
    expect(before).toMatchObject({ awaitingReview: false, review: null, commentVersion: 1 });
    await app.bus.publish({ ...deleted, id: randomUUID() });
    await app.untilSettled();
    expect((await record(created.data.id))?.revision).toBe(before?.revision);
  });
});

describe('poison comment events', () => {
  it('dead-letters an invalid message and one that can never apply, and goes on with the next', async () => {
    const orphan = factory.commentCreated(newId(), commenter, { body: 'never created' });
    await app.bus.js.publish(
      app.bus.names.wire('comment.created'),
      JSON.stringify({ ...orphan, data: { ...orphan.data, body: '' } }),
    );
    await app.bus.publish(factory.at(3).commentUpdated(orphan.data, { body: 'edited' })); // its creation never comes
    await barrier();
    const letters = await eventually(
      async () => {
        const found = await app.deadLetters();
        return found.length >= 2 && found;
      },
      15_000,
      'two dead letters',
    );
    expect(letters.map((l) => l.subject)).toEqual(['comment.created', 'comment.updated']);
    expect(letters[0]?.reason).toMatch(/invalid event: data\.body/);
    expect(letters[1]?.reason).toMatch(/not known yet: comment\.created must come first/);
    expect(await record(orphan.data.id)).toBeNull();
  });
});
