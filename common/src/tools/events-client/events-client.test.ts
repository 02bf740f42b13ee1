import { AckPolicy } from '@nats-io/jetstream';
import { pino } from 'pino';
import { EventBus, EventListener, InvalidEventError, newEvent } from '../../events';
import { eventually, testUrls, uniqueNamespace } from '../../testing';
import { EventsClient, NatsUnreachableError, StreamMissingError, type TailedEvent } from '.';

const logger = pino({ level: 'silent' });
const moderated = {
  commentId: 'c1',
  postId: 'p1',
  commentVersion: 0,
  status: 'approved' as const,
  reason: '',
};
const deleted = { id: 'p1', authorId: 'u1' };

describe('EventsClient', () => {
  const namespace = uniqueNamespace('ec');
  let bus: EventBus;
  let client: EventsClient;

  beforeAll(async () => {
    // The streams exist once a service has started: here, a bus like a service's.
    bus = await EventBus.connect({
      url: testUrls().natsUrl,
      name: 'test',
      namespace,
      logger,
    });
    client = await EventsClient.connect({
      server: testUrls().natsUrl,
      namespace,
    });
  });

  afterAll(async () => {
    await client.close();
    await bus.close();
  });

  it('publishes a payload in a full envelope, with the next version of its aggregate, and returns the sequence', async () => {
    const first = await client.publish('comment.moderated', moderated);
    const second = await client.publish('comment.moderated', moderated);
    const other = await client.publish('comment.moderated', { ...moderated, commentId: 'c2' }, { producer: 'script' });

    expect(first.stream).toBe(`${namespace.toUpperCase()}_COMMENTS`);
    expect(second.seq).toBe(first.seq + 1);
    expect(first.event).toMatchObject({
      subject: 'comment.moderated',
      aggregateId: 'c1',
      version: 0,
      producer: 'postline-events',
    });
    expect(second.event).toMatchObject({ aggregateId: 'c1', version: 1 });
    expect(other.event).toMatchObject({
      aggregateId: 'c2',
      version: 0,
      producer: 'script',
    });
    const stored = await bus.jsm.streams.getMessage(first.stream, {
      seq: first.seq,
    });
    expect(stored?.subject).toBe(`${namespace}.comment.moderated`);
    expect(stored?.json()).toEqual(first.event);
  });

  it("counts moderation's decisions apart from the comment's own versions, though they share an id", async () => {
    const comment = {
      id: 'c9',
      postId: 'p1',
      authorId: 'u1',
      authorUsername: 'ann',
      body: 'hello',
      status: 'pending' as const,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await client.publish('comment.created', comment);
    await client.publish('comment.updated', comment);
    const decision = await client.publish('comment.moderated', { ...moderated, commentId: 'c9', commentVersion: 1 });
    const nextEdit = await client.publish('comment.updated', comment);
    expect(decision.event).toMatchObject({ aggregateId: 'c9', version: 0 });
    expect(nextEdit.event).toMatchObject({ aggregateId: 'c9', version: 2 });
  });

  it('takes explicit envelope fields, and JetStream drops a re-published event id', async () => {
    const id = '0b6f3c9e-8a4e-4c55-9a61-1d2f4a7b8c90';
    const first = await client.publish('post.deleted', deleted, {
      id,
      aggregateId: 'p1',
      version: 7,
    });
    const again = await client.publish('post.deleted', deleted, {
      id,
      aggregateId: 'p1',
      version: 7,
    });
    expect(first.event).toMatchObject({ id, version: 7 });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
  });

  it('refuses an invalid payload naming the field, and publishes nothing of a batch with one bad event', async () => {
    const before = (await bus.jsm.streams.info(bus.names.stream('COMMENTS'))).state.messages;
    const bad = {
      ...moderated,
      status: 'maybe',
    } as unknown as typeof moderated;
    await expect(client.publish('comment.moderated', bad)).rejects.toMatchObject({
      name: 'InvalidEventError',
      field: 'data.status',
    });
    const batch = client.publishAll([{ data: moderated }, { data: { ...moderated, postId: '' } }], {
      subject: 'comment.moderated',
    });
    await expect(batch).rejects.toThrow(/^event 2: data\.postId/);
    await expect(client.publishAll([{ subject: 'comment.liked', data: {} }])).rejects.toBeInstanceOf(InvalidEventError);
    expect((await bus.jsm.streams.info(bus.names.stream('COMMENTS'))).state.messages).toBe(before);
  });

  it('tails stored events of a pattern from a sequence, and follows new ones as they come', async () => {
    const start = await client.publish('post.deleted', {
      id: 'p9',
      authorId: 'u1',
    });
    await client.publish('comment.moderated', {
      ...moderated,
      commentId: 'c9',
    });

    const stored: TailedEvent[] = [];
    for await (const tailed of await client.tail('post.*', {
      fromSeq: start.seq,
      stopAtEnd: true,
    }))
      stored.push(tailed);
    expect(stored.map((t) => [t.subject, t.event?.aggregateId])).toEqual([['post.deleted', 'p9']]);

    const live = await client.tail('*.deleted');
    const seen: TailedEvent[] = [];
    const reading = (async () => {
      for await (const tailed of live) seen.push(tailed);
    })();
    await client.publish('comment.moderated', {
      ...moderated,
      commentId: 'c10',
    });
    await client.publish('post.deleted', { id: 'p10', authorId: 'u1' });
    await eventually(() => seen.length === 1, 5_000, 'the live event');
    live.stop();
    await reading;
    expect(seen[0]).toMatchObject({
      subject: 'post.deleted',
      event: { aggregateId: 'p10' },
    });
  });

  it("reports each service's lag, unacknowledged and redelivered messages", async () => {
    const stream = bus.names.stream('USERS');
    await bus.jsm.consumers.add(stream, {
      durable_name: 'query',
      ack_policy: AckPolicy.Explicit,
      filter_subject: bus.names.wire('user.>'),
    });
    for (const id of ['u1', 'u2', 'u3']) {
      await client.publish('user.followed', {
        followerId: id,
        followeeId: 'x',
      });
    }
    const consumer = await bus.js.consumers.get(stream, 'query');
    const batch = await consumer.fetch({ max_messages: 2, expires: 2_000 });
    const held = [];
    for await (const msg of batch) held.push(msg);
    held[0]?.nak();
    await bus.connection.flush(); // the server has the nak before we fetch again: the redelivery comes next
    const again = await consumer.fetch({ max_messages: 1, expires: 2_000 });
    for await (const msg of again) held.push(msg);

    const summary = (await client.consumers()).find((c) => c.service === 'query');
    expect(summary).toMatchObject({
      stream,
      lag: 1,
      unacknowledged: 2,
      redelivered: 1,
    });
    const streams = await client.streams();
    expect(streams.find((s) => s.name === stream)).toMatchObject({
      exists: true,
      messages: 3,
      consumers: 1,
    });
  });

  it('lists dead letters with their reasons, retries one to its subject and discards another', async () => {
    let healthy = false;
    const handled: string[] = [];
    const listener = new EventListener(bus, {
      service: 'posts',
      logger,
      maxDeliveries: 1,
    }).on('user.created', async (e) => {
      if (!healthy) throw new Error('database down');
      handled.push(e.aggregateId);
    });
    await listener.start();
    try {
      const event = newEvent('user.created', {
        producer: 'auth',
        aggregateId: 'dl1',
        version: 0,
        data: { id: 'dl1', username: 'dl', role: 'user', bio: '', image: '' },
      });
      await bus.publish(event);
      await bus.js.publish(bus.names.wire('user.created'), 'not json');
      const letters = await eventually(async () => {
        const found = await client.deadLetters({ service: 'posts' });
        return found.length === 2 && found;
      });
      expect(letters[0]).toMatchObject({
        service: 'posts',
        subject: 'user.created',
        reason: expect.stringContaining('database down'),
      });
      expect(letters[1]?.reason).toMatch(/invalid event/);
      expect(await client.deadLetters({ service: 'someone-else' })).toEqual([]);

      await expect(client.retryDeadLetter(letters[1]!.seq)).rejects.toThrow(/invalid event/);
      healthy = true;
      const retried = await client.retryDeadLetter(letters[0]!.seq);
      expect(retried.stream).toBe(bus.names.stream('USERS'));
      await eventually(() => handled.includes('dl1'), 5_000, 'the retried event handled');

      await client.discardDeadLetter(letters[1]!.seq);
      expect(await client.deadLetters({ service: 'posts' })).toEqual([]);
      await expect(client.discardDeadLetter(letters[1]!.seq)).rejects.toThrow(/no dead letter/);
    } finally {
      await listener.stop();
    }
  });

  it('says which stream is missing in a wrong namespace, and when NATS cannot be reached', async () => {
    const elsewhere = await EventsClient.connect({
      server: testUrls().natsUrl,
      namespace: uniqueNamespace('none'),
    });
    try {
      await expect(elsewhere.publish('post.deleted', deleted)).rejects.toBeInstanceOf(StreamMissingError);
      expect((await elsewhere.streams()).every((s) => !s.exists)).toBe(true);
    } finally {
      await elsewhere.close();
    }
    await expect(EventsClient.connect({ server: 'nats://127.0.0.1:1' })).rejects.toBeInstanceOf(NatsUnreachableError);
  });
});
